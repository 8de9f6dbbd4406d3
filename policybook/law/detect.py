"""Law stage: the detectors — one function per ``check:`` of the rule tables.

A detector reads one sentence of a variant's printed text (normalised to
Simplified script, spaces removed) with the text of its article around it, and
returns what it found, in Chinese, naming the number it read. It finds only what
a sentence *says*: a rule quoted as a limit (试用期不超过一个月), a definition or a
negation (不实行末位淘汰, 拒绝罚款) is not a finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from policybook.law.numbers import NUM, days, months, pattern, percents, value


@dataclass(frozen=True)
class Sentence:
    text: str  # Simplified, no spaces
    article: str  # the whole article, the same way


Detector = Callable[[Sentence, dict[str, Any]], list[str]]
DETECTORS: dict[str, Detector] = {}


def detector(name: str) -> Callable[[Detector], Detector]:
    def register(func: Detector) -> Detector:
        DETECTORS[name] = func
        return func

    return register


def clauses(text: str) -> list[str]:
    return [c for c in re.split(r"[，,：:、（）()]", text) if c]


NEGATION = re.compile(
    r"(?:不得|不|禁止|严禁|拒绝|不予|不实行|不采用|不设|取消|废止|无权|不以|杜绝|免予|不再|只能|仅|无须|非)"
)


def negated(text: str, start: int, reach: int = 8) -> bool:
    """A negation just before ``start`` in the same clause (拒绝罚款, 不得以末位淘汰为由)."""
    clause_start = max(text.rfind(c, 0, start) for c in "，,；;：:")
    before = text[max(clause_start + 1, start - reach) : start]
    return bool(NEGATION.search(before))


def cn(number: float) -> str:
    return str(int(number)) if number == int(number) else f"{number:g}"


# ---------------------------------------------------------------- probation

CONTRACT_RE = pattern(r"合同(?:期限|期)?(?:为|是|在)?(?:约定)?{N}(个月|年|周年)(以上|及以上)?")
HALF_YEAR_CONTRACT = re.compile(r"合同(?:期限|期)?(?:为|是|在)?半年")
OPEN_RE = re.compile(r"无固定期限")
TASK_RE = re.compile(r"以完成一定工作任务为期限")
PROBATION_RE = pattern(
    r"试用期(?:限|期限)?(?:一般|一律|统一|均|最长|最多|可以|可)?(?:约定)?(?:为|是|不超过|不得超过|不长于|不多于|至多|设为|定为)?"
    r"{N}(个月|月|周|个星期|星期|天|日)"
)
PROBATION_HALF = re.compile(r"试用期(?:一般|一律|统一|均|最长)?(?:为|是|不超过)?半年")


def _contract_months(text: str) -> float | None:
    match = CONTRACT_RE.search(text)
    if match:
        return months(match.group(1), match.group(2))
    if HALF_YEAR_CONTRACT.search(text):
        return 6.0
    if OPEN_RE.search(text):
        return 10**6
    return None


def _probation_months(text: str) -> float | None:
    match = PROBATION_RE.search(text)
    if match:
        return months(match.group(1), match.group(2))
    return 6.0 if PROBATION_HALF.search(text) else None


@detector("probation-term")
def probation_term(s: Sentence, params: dict[str, Any]) -> list[str]:
    if "试用期" not in s.text:
        return []
    probation = _probation_months(s.text)
    if probation is None or probation == 0:
        return []
    if TASK_RE.search(s.text):
        return [f"以完成一定工作任务为期限的劳动合同约定了{cn(probation)}个月试用期（不得约定试用期）"]
    term = _contract_months(s.text)
    if term is None:
        if re.search(r"试用期(?:一律|统一|均)", s.text) and probation > 1:
            return [f"试用期一律为{cn(probation)}个月，合同期限不满三年的员工会超过法定上限"]
        return []
    limit = max(cap for floor, cap in params["tiers"] if term >= floor)
    if probation <= limit:
        return []
    shown = "无固定期限" if term >= 10**6 else f"{cn(term / 12)}年" if term % 12 == 0 else f"{cn(term)}个月"
    cap = "不得约定试用期" if limit == 0 else f"法定上限{cn(limit)}个月"
    return [f"劳动合同期限{shown}，试用期{cn(probation)}个月超过{cap}"]


ONCE_RE = re.compile(
    r"重新约定试用期|再次约定试用期|另行约定试用期|重新(?:设定|计算)试用期|延长试用期|试用期(?:可以|可|予以)?延长|再次试用|重新试用|第二次试用期"
)


@detector("probation-once")
def probation_once(s: Sentence, params: dict[str, Any]) -> list[str]:
    match = ONCE_RE.search(s.text)
    if not match or negated(s.text, match.start(), 12):
        return []
    return [f"“{match.group(0)}”：同一员工只能约定一次试用期"]


@detector("probation-pay")
def probation_pay(s: Sentence, params: dict[str, Any]) -> list[str]:
    if "试用期" not in s.text or not re.search(r"工资|薪|待遇|报酬", s.text):
        return []
    low = [p for p in percents(s.text) if p.value < params["min_percent"] and "基数" not in s.text]
    return [f"试用期工资为{cn(p.value)}%，低于法定的{params['min_percent']}%" for p in low[:1]]


# ---------------------------------------------------------------- overtime

OVERTIME = re.compile(r"加班|延长之?工作时间|延长工时|延时工作|超时工作")
DAILY_RE = pattern(r"(?:每日|每天|一日|一天|日均|每个工作日|单日)[^，；。]{0,10}?{N}(?:个)?小时")
MONTHLY_RE = pattern(r"(?:每月|每个月|一个月|月度|月累计|当月|月)[^，；。]{0,10}?{N}(?:个)?小时")
NOT_OVERTIME = re.compile(r"工作|出勤|培训|学时|休息|用餐|值班")


def _overtime_hours(s: Sentence, regex: re.Pattern[str]) -> list[float]:
    if not OVERTIME.search(s.text):
        return []
    found: list[float] = []
    for clause in clauses(s.text):
        if NOT_OVERTIME.search(clause) and not OVERTIME.search(clause):
            continue
        for match in regex.finditer(clause):
            number = value(match.group(1))
            if number is not None:
                found.append(number)
    return found


@detector("overtime-daily")
def overtime_daily(s: Sentence, params: dict[str, Any]) -> list[str]:
    special = re.search(r"特殊|身体健康|紧急|突发", s.text)
    out: list[str] = []
    for hours in _overtime_hours(s, DAILY_RE):
        if hours > params["special"]:
            out.append(f"每日延长工作时间{cn(hours)}小时，超过上限{cn(params['special'])}小时")
        elif hours > params["normal"] and not special:
            out.append(f"每日延长工作时间{cn(hours)}小时，一般不得超过{cn(params['normal'])}小时（特殊原因除外）")
    return out[:1]


@detector("overtime-monthly")
def overtime_monthly(s: Sentence, params: dict[str, Any]) -> list[str]:
    over = [h for h in _overtime_hours(s, MONTHLY_RE) if h > params["max"]]
    return [f"每月延长工作时间{cn(h)}小时，超过上限{cn(params['max'])}小时" for h in over[:1]]


PAY_KINDS = (
    ("restday", re.compile(r"休息日|双休日|周末|公休日|例假日")),
    ("holiday", re.compile(r"法定(?:节)?假日|节假日|法定休假日|休假日|国定假日")),
    ("workday", re.compile(r"工作日|平时|平日|延长工作时间|延时")),
)
KIND_NAMES = {"workday": "工作日延长工作时间", "restday": "休息日加班", "holiday": "法定节假日加班"}


BASE_AFTER = re.compile(r"[^，。；]{0,12}基数")


@detector("overtime-pay")
def overtime_pay(s: Sentence, params: dict[str, Any]) -> list[str]:
    if not (OVERTIME.search(s.text) or "加班费" in s.text) or "年休假" in s.text:
        return []
    marks = sorted((m.start(), kind) for kind, regex in PAY_KINDS for m in regex.finditer(s.text))
    out: list[str] = []
    for share in percents(s.text):
        clause = s.text[max(s.text.rfind("，", 0, share.start), 0) : share.end]
        if BASE_AFTER.match(s.text, share.end) or share.value < 100 and "倍" not in clause:
            continue  # 以基本工资的80%作为计算基数: the base, not the rate
        kinds = [kind for at, kind in marks if at < share.start]
        kind = kinds[-1] if kinds else "workday"
        if share.value < params[kind]:
            out.append(f"{KIND_NAMES[kind]}的工资按{cn(share.value)}%支付，低于法定的{params[kind]}%")
    return out


# ---------------------------------------------------------------- leave

SERVICE_RE = pattern(r"(?<![不未])满{N}(个月|周年|年)|{N}(周年|年)(?:以上|及以上)|第{N}(年)")
LEAVE_DAYS_RE = pattern(r"(?<![第满])(?<!\d){N}(?:个工作日|个?天|日)(?!以上|以内|内|前|后|起)")


def _service_years(clause: str) -> float | None:
    match = SERVICE_RE.search(clause)
    if not match:
        return None
    groups = [g for g in match.groups() if g is not None]
    number = value(groups[0])
    if number is None:
        return None
    return number / 12 if groups[1] == "个月" else number


@detector("annual-leave")
def annual_leave(s: Sentence, params: dict[str, Any]) -> list[str]:
    if not re.search(r"年休假|年假|带薪年休|特别休假|特休", s.text) or re.search(r"未休|报酬|工资", s.text):
        return []
    years: float | None = None
    upper: float | None = None
    out: list[str] = []
    for clause in clauses(s.text):
        if _service_years(clause) is not None:
            years, upper = _service_years(clause), _upper_years(clause)
        match = LEAVE_DAYS_RE.search(UPPER_RE.sub("", SERVICE_RE.sub("", clause)))
        if years is None or not match or (leave := value(match.group(1))) is None:
            continue
        # the whole range must be covered: 满一年不满十年 needs what the ninth year needs
        tiers = [d for floor, d in params["tiers"] if (floor < upper if upper else floor <= years)]
        if tiers and leave < max(tiers):
            span = f"满{cn(years)}年" + (f"不满{cn(upper)}年" if upper else "")
            out.append(f"工作{span}的年休假{cn(leave)}天，少于法定的{max(tiers)}天")
    return out


UPPER_RE = pattern(r"(?:不满|未满|少于|不足){N}(?:周)?年|{N}(?:周)?年以下")


def _upper_years(clause: str) -> float | None:
    match = UPPER_RE.search(clause)
    return value(match.group(1) or match.group(2)) if match else None


MATERNITY_RE = pattern(
    r"(?<![陪侍])产假(?:期|期限|时间)?(?:为|是|共计|共|合计|有)?{N}(天|日|周|个星期|星期|个月)|{N}(天|日|周|个星期|星期|个月)(?:的)?(?<![陪侍])产假"
)
EXTRA_RE = pattern(r"(?:生育假|奖励假|延长产假|延长生育假|产假奖励|晚育假)[^，。；]{0,6}?{N}(?:天|日)")
NOT_BASE = re.compile(r"流产|引产|难产|多胞胎|双胞胎|剖宫产")


def _maternity_days(text: str) -> float | None:
    for clause in clauses(text):
        if re.search(r"增加|产前|另", clause):
            continue
        match = MATERNITY_RE.search(clause)
        if match:
            number, unit = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
            return (months(number, unit) or 0) * 30 if unit == "个月" else days(number, unit)
    return None


@detector("maternity")
def maternity(s: Sentence, params: dict[str, Any]) -> list[str]:
    if "产假" not in s.text or NOT_BASE.search(s.text):
        return []
    base = _maternity_days(s.text)
    if base is None:
        return []
    extra = sum(value(m.group(1)) or 0 for m in EXTRA_RE.finditer(s.article)) if base < params["days"] else 0
    if base + extra >= params["days"]:
        return []
    total = f"{cn(base)}天" + (f"（另加{cn(extra)}天，共{cn(base + extra)}天）" if extra else "")
    return [f"产假{total}，少于所在地法定的{params['days']}天"]


PATERNITY_RE = pattern(
    r"(?:陪产假|护理假|陪产|看护假|陪护假|侍产假|陪产检及陪产假)[^，。；]{0,8}?{N}(?:天|日|个工作日)|{N}(?:天|日)(?:的)?(?:陪产假|护理假|侍产假)"
)


@detector("paternity")
def paternity(s: Sentence, params: dict[str, Any]) -> list[str]:
    match = PATERNITY_RE.search(s.text)
    if not match:
        return []
    number = value(match.group(1) or match.group(2))
    if number is None or number >= params["days"]:
        return []
    return [f"陪产假{cn(number)}天，少于所在地法定的{params['days']}天"]


# ---------------------------------------------------------------- pay and discipline

DEDUCT = re.compile(r"扣除|扣减|扣发|抵扣|扣回|扣款|扣薪|扣")
DAMAGE = re.compile(r"赔偿|损失|损坏|遗失|赔付|毁损")
AMOUNT_RE = pattern(r"{N}(?:港元|港币|元)")


@detector("deduction")
def deduction(s: Sentence, params: dict[str, Any]) -> list[str]:
    if not (DEDUCT.search(s.text) and DAMAGE.search(s.text) and re.search(r"工资|薪", s.text)):
        return []
    out = [
        f"每月从工资中扣除{cn(p.value)}%，超过法定上限{params['max_percent']}%"
        for p in percents(s.text)
        if p.value > params["max_percent"]
    ][:1]
    if params.get("minimum_wage") and "最低工资" not in s.article and "最低工资" not in s.text:
        out.append("从工资中扣除赔偿，未写明扣除后剩余工资不低于当地最低工资标准")
    cap = float(params.get("max_amount") or 0)
    for match in AMOUNT_RE.finditer(s.text) if cap else ():
        number = value(match.group(1))
        if number is not None and number > cap:
            out.append(f"损坏或遗失扣款{cn(number)}元，超过每次上限{cn(cap)}元")
            break
    return out


AMOUNT = r"(?:{N}|\[[^\]]{0,8}\]|【[^】]{0,8}】|[×XＸ＿_]+)"  # 50, or a blank the regulation leaves: [X] ×× ＿＿
FINE_RE = pattern(rf"罚款|罚金|扣罚|罚没|经济处罚|罚(?:人民币)?{AMOUNT}元|处以{AMOUNT}元")
AMOUNT_DEDUCTION_RE = pattern(
    rf"(?:扣除|扣减|扣发|扣款|扣)(?:其|员工)?(?:当月|当日)?(?:工资|薪资|薪酬|薪金)?(?:人民币)?{AMOUNT}元"
)
DAY_DEDUCTION_RE = pattern(r"扣(?:除|发|减)?(?:其)?{N}(?:日|天)(?:的)?(?:工资|薪资)")
QUOTED_LAW = re.compile(r"《[^》]*(?:(?<!办)法|条例)》")  # a state law (a company's 办法/规定 is its own)
AUTHORITY = re.compile(r"行政机关|主管部门|公安|交警|执法|海关|税务|市场监管")
BONUS_WORDS = re.compile(r"绩效|奖金|奖励|津贴|补贴|考勤奖|全勤奖|提成|赔偿|损失|损坏")


def _fine_words(s: Sentence) -> list[str]:
    out: list[str] = []
    for match in FINE_RE.finditer(s.text):
        before = s.text[max(0, match.start() - 10) : match.start()]
        if negated(s.text, match.start(), 10) or re.search(r"被[^，。；]{0,8}$", before):
            continue
        if (QUOTED_LAW.search(s.text) or AUTHORITY.search(s.text)) and not re.search(r"公司|本单位|部门", before):
            continue  # a fine quoted from a law (a public authority's, not the company's)
        out.append(match.group(0))
    return out


WAGE_PART_RE = pattern(rf"扣(?:减|除|发)?(?:其|员工)?(?:当月|本月)?(?:绩效工资|基本工资|岗位工资){AMOUNT}元")
SHARE_DEDUCTION_RE = re.compile(r"扣(?:除|发|减)?(?:其|员工)?(?:当月|本月|月)?(?:工资|薪资|薪酬|基本工资)")
NOT_PENALTY = re.compile(r"赔偿|损失|损坏|代扣|代缴|社会保险|公积金|所得税|病假|事假|请假|缺勤期间")


@detector("fine")
def fine(s: Sentence, params: dict[str, Any]) -> list[str]:
    words = _fine_words(s)
    share = SHARE_DEDUCTION_RE.search(s.text)
    if share and not NOT_PENALTY.search(s.text) and not negated(s.text, share.start()) and any(percents(s.text)):
        words.append(share.group(0))  # 扣除当月工资的30% as a penalty: a fine by another name
    wage = WAGE_PART_RE.search(s.text)
    if wage and not negated(s.text, wage.start()):
        words.append(wage.group(0))  # a fixed sum off the performance *wage* is still wage withheld
    for clause in clauses(s.text):
        if BONUS_WORDS.search(clause) or NEGATION.search(clause[:4]):
            continue
        match = AMOUNT_DEDUCTION_RE.search(clause)
        if match:
            words.append(match.group(0))
        day = DAY_DEDUCTION_RE.search(clause)
        absent = pattern(r"旷工{N}(?:日|天)").search(clause)
        if day and (value(day.group(1)) or 0) > (value(absent.group(1)) or 1 if absent else 1):
            words.append(day.group(0))
    return [f"“{words[0]}”：对员工罚款（扣罚工资）没有法律依据"] if words else []


RANKING_RE = re.compile(
    r"末位淘汰|(?:末位|排名最后|排名末|最后一名|倒数第[一二三1-3]|末尾)[^。；]{0,14}(?:解除|辞退|淘汰|开除|劝退|除名)"
    r"|竞争上岗[^。；]{0,20}(?:解除|辞退|淘汰|待岗|落聘)|落聘[^。；]{0,10}(?:解除|辞退|除名)"
)


@detector("dismissal-ranking")
def dismissal_ranking(s: Sentence, params: dict[str, Any]) -> list[str]:
    match = RANKING_RE.search(s.text)
    if not match or negated(s.text, match.start(), 12) or re.search(r"不等同于|指导案例", s.text):
        return []
    return [f"“{match.group(0)}”：以考核末位或落聘为由解除劳动合同"]


RESIGN_RE = re.compile(
    r"自动离职|自动辞职|自愿离职|视为(?:主动|自动|自愿)?(?:辞职|离职)|视同(?:辞职|离职)|自行离职|视为放弃"
)
ABSENT_RE = re.compile(
    r"旷工|未到岗|不到岗|未出勤|缺勤|未上班|逾期不归|未返岗|未按时返岗|擅自离岗|擅自离开|不辞而别|连续[^，。；]{0,4}(?:日|天)"
)


@detector("absence-resignation")
def absence_resignation(s: Sentence, params: dict[str, Any]) -> list[str]:
    match = RESIGN_RE.search(s.text)
    if not match or not ABSENT_RE.search(s.text) or negated(s.text, match.start(), 6):
        return []
    return [f"“{match.group(0)}”：旷工不会使劳动合同自动解除"]


WITHHOLD_RE = re.compile(
    r"(?:扣发|停发|不予发放|不予支付|不发放|不支付|不再支付)(?:其)?(?:当月|全部|剩余|未结|最后一个月的?)?(?:工资|薪资|薪酬|薪水)"
    r"|(?:工资|薪资|薪酬)(?:一律|均)?(?:不予发放|不予结算|不予支付|停发)"
)
NO_WORK_NO_PAY = re.compile(r"期间|旷工[^，。；]{0,6}(?:日|天)的?工资|未提供劳动|停工|不计发")


@detector("withhold-wage")
def withhold_wage(s: Sentence, params: dict[str, Any]) -> list[str]:
    match = WITHHOLD_RE.search(s.text)
    if not match or NO_WORK_NO_PAY.search(s.text) or negated(s.text, match.start(), 4):
        return []
    return [f"“{match.group(0)}”：克扣已提供劳动的工资"]


PENALTY_CLAUSE_RE = re.compile(r"违约金")
LAWFUL_PENALTY = re.compile(r"服务期|竞业|专项培训|培训费用")


@detector("penalty-clause")
def penalty_clause(s: Sentence, params: dict[str, Any]) -> list[str]:
    match = PENALTY_CLAUSE_RE.search(s.text)
    if not match or LAWFUL_PENALTY.search(s.text) or negated(s.text, match.start(), 12):
        return []
    return ["约定由员工承担违约金（只有服务期、竞业限制可以约定）"]


NO_INSURANCE_RE = re.compile(
    r"(?:不缴纳|不缴|不参加|不办理|暂不缴纳|暂不办理|自愿放弃|放弃缴纳|不为其缴纳)(?:其)?(?:社会保险|社保|五险|养老保险|医疗保险)"
)


@detector("social-insurance")
def social_insurance(s: Sentence, params: dict[str, Any]) -> list[str]:
    match = NO_INSURANCE_RE.search(s.text)
    if not match or re.search(r"不得|不能|无权|禁止|不因", s.text[max(0, match.start() - 12) : match.start()]):
        return []
    return [f"“{match.group(0)}”：社会保险自用工之日起依法参加，员工放弃无效"]


# ---------------------------------------------------------------- Hong Kong

HK418_RE = pattern(r"(?:每周|每星期|每个星期|一星期|每週)[^，。；]{0,8}?{N}(?:个)?小时")


@detector("hk-418")
def hk_418(s: Sentence, params: dict[str, Any]) -> list[str]:
    if not re.search(r"连续性合约|连续性合同|连续受雇|连续受僱|418|四星期|4星期|四个星期", s.text):
        return []
    for match in HK418_RE.finditer(s.text):
        if value(match.group(1)) == 18:
            return ["以“每星期18小时”（418）界定连续性合约，已改为“468”"]
    return ["以“418”界定连续性合约，已改为“468”"] if "418" in s.text else []


HOLIDAYS_RE = pattern(
    r"(?:法定假日|劳工假期)(?:共|为|合共|有|每年|全年)?{N}(?:天|日|个)|(?:每年|全年|共|合共|享有|给予)[^，。；]{0,6}?{N}(?:天|日|个)(?:的)?(?:法定假日|劳工假期)"
)


@detector("hk-holidays")
def hk_holidays(s: Sentence, params: dict[str, Any]) -> list[str]:
    match = HOLIDAYS_RE.search(s.text)
    if not match:
        return []
    number = value(match.group(1) or match.group(2))
    if number is None or number >= params["days"]:
        return []
    return [f"法定假日{cn(number)}天，少于生效日适用的{params['days']}天"]


HOURLY_RE = pattern(r"(?:时薪|每小时(?:工资|薪酬|薪金)?|小时工资)[^，。；]{0,6}?{N}(?:港元|港币|元)")


@detector("minimum-wage-hourly")
def minimum_wage_hourly(s: Sentence, params: dict[str, Any]) -> list[str]:
    match = HOURLY_RE.search(s.text)
    number = value(match.group(1)) if match else None
    if number is None or number >= params["hourly"]:
        return []
    return [f"时薪{cn(number)}元，低于法定最低工资每小时{cn(params['hourly'])}元"]


def detect(check: str, sentence: Sentence, params: dict[str, Any]) -> list[str]:
    return DETECTORS[check](sentence, params)


__all__ = ["DETECTORS", "NUM", "Sentence", "detect"]
