"""Make the messy roster exports the ledger tests read, the way HR systems and Excel write them.

    python tests/data/ledger/make_exports.py     (needs openpyxl; LibreOffice for the Calc-saved copy)

- ``hr-title.xlsx``     an HR system's XLSX: a title row and a blank row above the header, company
                        names with half-width brackets or without the region, departments as paths,
                        every status word, real dates and numbers as 工号; ``hr-title-calc.xlsx`` is the
                        same file saved again by LibreOffice Calc (when ``soffice`` is installed)
- ``excel-gbk.csv``     Excel "CSV (逗号分隔)" on a mainland Windows: GBK, 员工状态, a name that lost a
                        character (王?), 华远（香港）有限公司 in Simplified for the Hong Kong company
- ``excel-big5.csv``    Excel on a Taiwan/Hong Kong Windows: Big5, Traditional headers, 財務部 and 财务部
- ``short-big5.csv``    a Big5 file too short to tell from GBK by its characters alone
- ``unicode-text.txt``  Excel "Unicode 文本": UTF-16 with a BOM, tab-separated
"""

from __future__ import annotations

import datetime
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
HEADER = ["工号", "姓名", "所属公司", "部门", "入职日期", "员工状态", "手机"]
ROWS = [
    ["1001", "张伟", "华远客户服务(深圳)有限公司", "客服中心/客服一部", "2023-03-01", "正式", "13800000001"],
    ["1002", "王芳", "深圳客服", "客服中心/客服二部", "2024/5/6", "试用", ""],
    ["1003", "阿卜杜热合曼·买买提明", "华远客户服务有限公司", "客服中心/客服二部", "2022-11-15", "在职", ""],
    ["1004", "李娜", "SZ", "客服中心 / 客服二部", "2025-07-01", "实习", ""],
    ["1005", "赵六", "sz", "客服中心/客服一部", "2019-01-01", "离职", ""],
    ["1006", "孙七", "华远科技(上海)有限公司", "研发中心/平台研发部/基础架构组", "2021-02-03", "返聘", ""],
    ["1007", "周八", "华远科技有限公司", "研发中心/平台研发部", "2020-06-01", "已离职", ""],
    ["1008", "吴九", "上海科技", "研发中心/测试部", "2018-09-09", "退休", ""],
    ["1009", "郑十", "华远控股集团有限公司", "人力资源部", "2017-04-01", "在职", ""],
    ["1010", "钱多多", "华远控股集团有限公司北京总部", "财务部", "2016-08-08", "正式", ""],
]
GBK_ROWS = [
    ["2001", "王?", "华远（香港）有限公司", "财务部", "2024-01-02", "在职", ""],
    ["2002", "陈静", "华远(香港)有限公司", "財務部", "2023-05-06", "正式", ""],
    ["2003", "林小雨", "香港公司", "客户服务部", "2022-02-02", "试用", ""],
]
BIG5_HEADER = ["工號", "姓名", "所屬公司", "部門", "入職日期", "員工狀態"]
BIG5_ROWS = [
    ["3001", "陳大文", "華遠（香港）有限公司", "財務部", "2021-03-04", "在職"],
    ["3002", "黃小明", "華遠(香港)有限公司", "財務部", "2022-05-06", "正式"],
    ["3003", "李嘉欣", "香港公司", "客戶服務部", "2020-07-08", "離職"],
    ["3004", "張志強", "HK", "行政部", "2019-09-10", "試用"],
]


def csv_text(header: list[str], rows: list[list[str]], sep: str = ",") -> str:
    return "".join(sep.join(r) + "\r\n" for r in [header, *rows])


def xlsx(target: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "花名册"
    sheet.append(["华远集团员工花名册（导出时间 2026-12-01）"])
    sheet.append([])
    sheet.append(HEADER)
    for row in ROWS:
        values: list[object] = list(row)
        values[0] = int(row[0])  # 工号 typed as a number
        values[4] = datetime.date.fromisoformat(row[4].replace("/", "-").replace("-5-6", "-05-06"))
        sheet.append(values)
    book.save(target)


def main() -> None:
    (HERE / "excel-gbk.csv").write_bytes(csv_text(HEADER, ROWS + GBK_ROWS).encode("gbk"))
    (HERE / "excel-big5.csv").write_bytes(csv_text(BIG5_HEADER, BIG5_ROWS).encode("big5"))
    (HERE / "short-big5.csv").write_bytes(csv_text(BIG5_HEADER, BIG5_ROWS[:1]).encode("big5"))
    (HERE / "unicode-text.txt").write_bytes(csv_text(HEADER, ROWS, "\t").encode("utf-16"))

    xlsx(HERE / "hr-title.xlsx")
    soffice = shutil.which("soffice")
    if soffice:
        with tempfile.TemporaryDirectory() as tmp:
            profile = Path(tmp, "profile").as_uri()
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation={profile}",
                    "--headless",
                    "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML",
                    "--outdir",
                    tmp,
                    str(HERE / "hr-title.xlsx"),
                ],
                check=False,
                capture_output=True,
                timeout=120,
            )
            if Path(tmp, "hr-title.xlsx").exists():
                shutil.copyfile(Path(tmp, "hr-title.xlsx"), HERE / "hr-title-calc.xlsx")


if __name__ == "__main__":
    main()
