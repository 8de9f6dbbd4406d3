"""Number stage helper: Chinese numerals written the way regulations write them.

十一, 二十, 一百零五, 一百一十, 一千零一十, 一万 — and back again; and the
capital numerals of amounts (壹仟贰佰元整) for the ``cn_upper`` filter.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DIGITS = "零一二三四五六七八九"
UNITS = ((1000, "千"), (100, "百"), (10, "十"))


def chinese(n: int) -> str:
    """A positive integer (below 10^8) as a Chinese numeral."""
    if n <= 0 or n >= 10**8:
        raise ValueError(f"cannot write {n} as a Chinese numeral")
    if n >= 10000:
        high, low = divmod(n, 10000)
        rest = "" if low == 0 else ("零" if low < 1000 else "") + _below_10000(low, inner=True)
        return _below_10000(high, inner=False) + "万" + rest
    return _below_10000(n, inner=False)


def _below_10000(n: int, inner: bool) -> str:
    """1–9999; 十 alone (not 一十) only leads a number below twenty."""
    out = ""
    zero = False
    for value, unit in UNITS:
        digit, n = divmod(n, value)
        if digit:
            out += ("零" if zero else "") + _digit_for(digit, value, out or inner) + unit
            zero = False
        elif out:
            zero = True
    if n:
        out += ("零" if zero else "") + DIGITS[n]
    return out


def _digit_for(digit: int, value: int, has_higher: object) -> str:
    if value == 10 and digit == 1 and not has_higher:
        return ""
    return DIGITS[digit]


# readings the printer never writes but sources do: 〇 and 两, Traditional 萬, full-width digits
_ALSO = {"〇": 0, "两": 2, "兩": 2}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_MYRIAD = ("万", "萬")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def parse_chinese(text: str) -> int:
    """The inverse of :func:`chinese`; also reads 〇, 两, 萬 and digit strings (二〇二四)."""
    if len(text) > 1 and not any(c in _UNITS or c in _MYRIAD for c in text):
        return int("".join(str(parse_chinese(c)) for c in text))
    total, section, digit = 0, 0, 0
    for char in text:
        if char in DIGITS or char in _ALSO:
            digit = DIGITS.index(char) if char in DIGITS else _ALSO[char]
        elif char in _UNITS:
            section += (digit or 1) * _UNITS[char]
            digit = 0
        elif char in _MYRIAD:
            total += (section + digit) * 10000
            section, digit = 0, 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + section + digit


def parse_number(text: str) -> int:
    """A number as regulations write it in headings: 十二, 一百零五, 12 or １２."""
    digits = text.strip().translate(_FULL_WIDTH)
    return int(digits) if digits.isdigit() else parse_chinese(digits)


LEGAL_SIMPLIFIED = str.maketrans("一二三四五六七八九十百千零", "壹贰叁肆伍陆柒捌玖拾佰仟零")
LEGAL_TRADITIONAL = str.maketrans("一二三四五六七八九十百千万零", "壹貳參肆伍陸柒捌玖拾佰仟萬零")


def chinese_legal(n: int, traditional: bool = False) -> str:
    """大写 numerals as Word's chineseLegalSimplified / ideographLegalTraditional print them: 壹拾贰."""
    plain = chinese(n)
    if plain.startswith("十"):
        plain = "一" + plain
    return plain.translate(LEGAL_TRADITIONAL if traditional else LEGAL_SIMPLIFIED)


def cyclic(n: int, symbols: str) -> str:
    """The n-th of a cycle of symbols (天干 甲乙丙…, 地支 子丑寅…), repeating after the last."""
    return symbols[(n - 1) % len(symbols)]


def letters(n: int) -> str:
    """1 → A, 26 → Z, 27 → AA (appendices in the decimal style)."""
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(ord("A") + rem) + out
    return out


def roman(n: int) -> str:
    out = ""
    for value, sym in (
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ):
        count, n = divmod(n, value)
        out += sym * count
    return out


def cn_number(value: object) -> str:
    """The ``cn_number`` filter: 3 → 三, 15 → 十五, 105 → 一百零五, 0 → 零."""
    n = _whole(value, "cn_number")
    if n == 0:
        return "零"
    return ("负" if n < 0 else "") + chinese(abs(n))


def cn_upper(value: object) -> str:
    """The ``cn_upper`` filter: an amount in the capital numerals of receipts and contracts.

    1200 → 壹仟贰佰元整, 1005.5 → 壹仟零伍元伍角, 0.05 → 伍分, 10 → 壹拾元整
    (the zero rules of 《支付结算办法》: one 零 per run of zeros, 整 after 元 only)."""
    cents = _cents(value)
    sign, cents = ("负" if cents < 0 else ""), abs(cents)
    yuan, rest = divmod(cents, 100)
    jiao, fen = divmod(rest, 10)
    if yuan >= 10**8:
        raise ValueError(f"cn_upper: {value} is too large")
    out = chinese_legal(yuan) + "元" if yuan else ""
    if jiao:
        out += chinese_legal(jiao) + "角"
    elif fen and yuan:
        out += "零"
    if fen:
        out += chinese_legal(fen) + "分"
    return sign + (out if rest else (out or "零元") + "整")


def _whole(value: object, name: str) -> int:
    number = _number(value, name)
    if number != int(number):
        raise ValueError(f"{name} needs a whole number, found {value}")
    return int(number)


def _cents(value: object) -> int:
    number = _number(value, "cn_upper")
    return int((number * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _number(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"{name} needs a number, found {value!r}")
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValueError(f"{name} needs a number written in digits, found '{value}'") from None
    if not number.is_finite():
        raise ValueError(f"{name} needs a number, found '{value}'")
    return number
