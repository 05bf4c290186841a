"""課題分析標準項目 (the 23 standard assessment items) as data.

An assessment stores its answers as `{"<item number>": {"<field key>": value, "note": text}}`
and names the item set it was written against (`item_set`). An item may also hold lists of
entries (`ListSpec`), e.g. item 13's 行動・心理症状 (BPSD): `"bpsd": [{"kind", "frequency",
"situation"}, …]`. Fields with `source="register"` are prefilled from the client register
and the 認定 when an assessment starts (`careplans.services.assessment.register_answers`);
`editable=False` fields are copies the staff correct at the source, not here. The 2023-10 set (介護保険最新情報
Vol.1178, 2023-10-16) is current; the 1999 set keeps the old names and numbering so older
assessments still read as they were written (REFERENCE §2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CURRENT_ITEM_SET = "2023-10"
NOTE_KEY = "note"

ADL_LEVELS = ("自立", "見守り", "一部介助", "全介助")
PHYSICAL_INDEPENDENCE_RANKS = ("自立", "J1", "J2", "A1", "A2", "B1", "B2", "C1", "C2")
DEMENTIA_INDEPENDENCE_RANKS = ("自立", "Ⅰ", "Ⅱa", "Ⅱb", "Ⅲa", "Ⅲb", "Ⅳ", "M")
PLAN_STATUS_CHOICES = ("初回", "初回以外")


@dataclass(frozen=True)
class FieldSpec:
    """One structured sub-field. `choices` empty → free text (one line).

    `optional` fields do not count toward the item being complete; `source` names where a
    prefilled value comes from ("register": 利用者台帳・認定, "header": the assessment's own
    理由); `editable=False` keeps the stored value whatever is posted.
    """

    key: str
    label: str
    choices: tuple[str, ...] = ()
    optional: bool = False
    source: str = ""
    editable: bool = True

    @property
    def is_choice(self) -> bool:
        return bool(self.choices)


@dataclass(frozen=True)
class ListSpec:
    """A list of entries inside one item (each entry = the `columns`); the first column is
    the entry's kind and must be chosen when anything else in the row is written."""

    key: str
    label: str
    columns: tuple[FieldSpec, ...]
    max_rows: int = 20
    other_choice: str = "その他"


@dataclass(frozen=True)
class ItemSpec:
    """One standard item. `old_name` is the pre-2023 item it continues ("" = new in 2023)."""

    number: int
    name: str
    old_name: str
    group: str  # "basic" (基本情報に関する項目) or "analysis" (課題分析に関する項目)
    hint: str = ""
    fields: tuple[FieldSpec, ...] = field(default=())
    lists: tuple[ListSpec, ...] = field(default=())

    @property
    def group_label(self) -> str:
        return "基本情報に関する項目" if self.group == "basic" else "課題分析に関する項目"


# Item 13 (認知機能や判断能力): 中核症状 as levels, and 行動・心理症状 (BPSD, the old item 20
# 問題行動 folded in by the 2023 revision) as a list of entries.
CORE_SYMPTOM_LEVELS = ("なし", "軽度", "中等度", "重度")
CORE_SYMPTOMS = (
    ("core_memory", "記憶障害"),
    ("core_orientation", "見当識障害"),
    ("core_judgement", "理解・判断力の低下"),
    ("core_executive", "実行機能障害"),
    ("core_language", "失語・失認・失行"),
)
BPSD_KINDS = (
    "徘徊",
    "暴言・暴行",
    "介護への抵抗",
    "昼夜逆転",
    "妄想",
    "幻覚",
    "不穏",
    "収集癖",
    "不潔行為",
    "異食",
    "その他",
)
BPSD_FREQUENCIES = ("毎日", "週数回", "月数回", "まれ")
BPSD_LIST = ListSpec(
    "bpsd",
    "行動・心理症状（BPSD）",
    (
        FieldSpec("kind", "種類", BPSD_KINDS),
        FieldSpec("frequency", "頻度", BPSD_FREQUENCIES),
        FieldSpec("situation", "状況（いつ・どんな場面で・対応）"),
    ),
)


def _levels(prefix: str, activities: tuple[str, ...]) -> tuple[FieldSpec, ...]:
    return tuple(
        FieldSpec(f"{prefix}_{index}", name, ADL_LEVELS) for index, name in enumerate(activities, 1)
    )


ADL_ACTIVITIES = (
    "寝返り",
    "起き上がり",
    "座位保持",
    "立位保持",
    "移乗",
    "歩行（屋内）",
    "歩行（屋外）",
    "更衣",
    "入浴",
    "排泄動作",
    "食事動作",
    "整容",
)
IADL_ACTIVITIES = (
    "調理",
    "掃除",
    "洗濯",
    "買物",
    "金銭管理",
    "服薬管理",
    "電話の利用",
    "交通機関の利用",
)

ITEMS_2023_10: tuple[ItemSpec, ...] = (
    ItemSpec(
        1,
        "基本情報（受付、利用者等基本情報）",
        "基本情報（受付、利用者等基本情報）",
        "basic",
        "受付日時・受付者・受付方法、利用者の基本情報、居宅サービス計画作成の状況",
        (
            FieldSpec("received_on", "受付日", source="register"),
            FieldSpec("received_by", "受付者", optional=True, source="register"),
            FieldSpec("received_route", "受付方法・相談経路", optional=True, source="register"),
            FieldSpec(
                "plan_status", "居宅サービス計画作成の状況", PLAN_STATUS_CHOICES, source="register"
            ),
        ),
    ),
    ItemSpec(
        2,
        "これまでの生活と現在の状況",
        "生活状況",
        "basic",
        "生活歴、現在の生活状況（一日の過ごし方、楽しみ、役割など）",
    ),
    ItemSpec(
        3,
        "利用者の社会保障制度の利用情報",
        "利用者の被保険者情報",
        "basic",
        "介護保険・医療保険・年金の種類・障害者手帳・生活保護など",
        (
            FieldSpec(
                "pension",
                "年金の種類",
                ("国民年金", "厚生年金", "共済年金", "障害年金", "遺族年金", "なし", "その他"),
            ),
            FieldSpec("public_assistance", "生活保護", ("なし", "受給中")),
        ),
    ),
    ItemSpec(
        4,
        "現在利用している支援や社会資源の状況",
        "現在利用しているサービスの状況",
        "basic",
        "介護保険サービス、保険外サービス、インフォーマルな支援",
    ),
    ItemSpec(
        5,
        "日常生活自立度（障害）",
        "障害老人（障害高齢者）の日常生活自立度",
        "basic",
        "認定時のランクと、介護支援専門員の現在の判断",
        (
            FieldSpec("rank_at_certification", "認定時", PHYSICAL_INDEPENDENCE_RANKS),
            FieldSpec("rank_current", "現在（介護支援専門員の判断）", PHYSICAL_INDEPENDENCE_RANKS),
        ),
    ),
    ItemSpec(
        6,
        "日常生活自立度（認知症）",
        "痴呆性（認知症）老人の日常生活自立度",
        "basic",
        "認定時のランクと、介護支援専門員の現在の判断",
        (
            FieldSpec("rank_at_certification", "認定時", DEMENTIA_INDEPENDENCE_RANKS),
            FieldSpec("rank_current", "現在（介護支援専門員の判断）", DEMENTIA_INDEPENDENCE_RANKS),
        ),
    ),
    ItemSpec(
        7,
        "主訴・意向",
        "主訴",
        "basic",
        "本人・家族の主訴や意向",
        (
            FieldSpec("chief_complaint", "主訴（相談受付時）", optional=True, source="register"),
            FieldSpec("client_wish", "本人の意向"),
            FieldSpec("family_wish", "家族の意向"),
        ),
    ),
    ItemSpec(
        8,
        "認定情報",
        "認定情報",
        "basic",
        "要介護状態区分、審査会の意見、支給限度額など（被保険者証の写し。違うときは台帳の認定を直してください）",
        tuple(
            FieldSpec(key, label, optional=True, source="register", editable=False)
            for key, label in (
                ("care_level", "要介護状態区分"),
                ("certified_on", "認定日"),
                ("valid_period", "認定の有効期間"),
                ("committee_opinion", "介護認定審査会の意見"),
            )
        ),
    ),
    ItemSpec(
        9,
        "今回のアセスメントの理由",
        "課題分析（アセスメント）理由",
        "basic",
        "初回・更新・区分変更・退院・状態変化など（理由の詳細）",
        (
            FieldSpec(
                "reason", "理由（実施の記録から）", optional=True, source="header", editable=False
            ),
        ),
    ),
    ItemSpec(
        10,
        "健康状態",
        "健康状態",
        "analysis",
        "既往歴・主傷病・症状・痛み・服薬・受診状況など",
        (
            FieldSpec("diseases", "主な病名"),
            FieldSpec("medication", "服薬状況", ("自己管理", "一部介助", "全介助", "服薬なし")),
        ),
    ),
    ItemSpec(11, "ADL", "ADL", "analysis", "各動作の状況", _levels("adl", ADL_ACTIVITIES)),
    ItemSpec(12, "IADL", "IADL", "analysis", "各動作の状況", _levels("iadl", IADL_ACTIVITIES)),
    ItemSpec(
        13,
        "認知機能や判断能力",
        "認知（旧13）・問題行動（旧20）",
        "analysis",
        "日常の意思決定を行うための認知能力の程度、判断能力の状況、認知機能の障害（中核症状）、"
        "行動・心理症状（BPSD、旧「問題行動」）の状況など",
        (
            FieldSpec("short_term_memory", "短期記憶", ("問題なし", "問題あり")),
            FieldSpec(
                "decision_making",
                "日常の意思決定",
                ("できる", "特別な場合以外はできる", "日常的に困難", "できない"),
            ),
            *(
                FieldSpec(key, f"中核症状：{label}", CORE_SYMPTOM_LEVELS, optional=True)
                for key, label in CORE_SYMPTOMS
            ),
            FieldSpec("core_symptom_note", "中核症状の具体的な状況", optional=True),
        ),
        (BPSD_LIST,),
    ),
    ItemSpec(
        14,
        "コミュニケーションにおける理解と表出の状況",
        "コミュニケーション能力",
        "analysis",
        "視力・聴力、意思の伝達、コミュニケーション機器の使用など",
        (
            FieldSpec("vision", "視力", ("問題なし", "やや問題あり", "問題あり")),
            FieldSpec("hearing", "聴力", ("問題なし", "やや問題あり", "問題あり")),
            FieldSpec(
                "expression",
                "意思の伝達",
                ("できる", "ときどきできる", "ほとんどできない", "できない"),
            ),
        ),
    ),
    ItemSpec(
        15,
        "生活リズム",
        "",
        "analysis",
        "1日及び1週間の生活リズム・過ごし方、日常的な活動の程度（第3表と関連）",
    ),
    ItemSpec(
        16,
        "排泄の状況",
        "排尿・排便",
        "analysis",
        "排泄の場所・方法、尿・便意の有無、失禁の状況、後始末の状況",
        (
            FieldSpec("urination", "排尿", ADL_LEVELS),
            FieldSpec("defecation", "排便", ADL_LEVELS),
            FieldSpec("incontinence", "失禁", ("なし", "ときどきある", "ある")),
        ),
    ),
    ItemSpec(
        17,
        "清潔の保持に関する状況",
        "じょく瘡・皮膚の問題",
        "analysis",
        "入浴やシャワー浴、清拭の状況、皮膚や爪の状況など",
        (FieldSpec("skin", "皮膚の問題（褥瘡等）", ("なし", "あり")),),
    ),
    ItemSpec(
        18,
        "口腔内の状況",
        "口腔衛生",
        "analysis",
        "歯の状態、義歯の状況、かみ合わせの状態、口腔ケアの状況など",
        (
            FieldSpec("dentures", "義歯", ("なし", "部分義歯", "総義歯")),
            FieldSpec("oral_care", "口腔ケア", ADL_LEVELS),
        ),
    ),
    ItemSpec(
        19,
        "食事摂取の状況",
        "食事摂取",
        "analysis",
        "食事摂取の状況、摂取量、食事形態、栄養状態、水分量など",
        (
            FieldSpec("food_form", "食事形態", ("普通食", "刻み食", "ミキサー食", "経管栄養")),
            FieldSpec("intake", "摂取", ADL_LEVELS),
        ),
    ),
    ItemSpec(
        20,
        "社会との関わり",
        "社会との関わり（旧15）",
        "analysis",
        "家族等との関わり、地域との関わり、仕事との関わりなど",
    ),
    ItemSpec(
        21,
        "家族等の状況",
        "介護力",
        "analysis",
        "本人の日常生活あるいは意思決定に関わる家族等の状況、介護の負担感など",
        (
            FieldSpec("main_caregiver", "主な介護者（続柄）"),
            FieldSpec("care_capacity", "介護力", ("十分", "不十分", "なし")),
        ),
    ),
    ItemSpec(
        22,
        "居住環境",
        "居住環境",
        "analysis",
        "住居の種類、段差、手すり、室温・衛生など",
        (
            FieldSpec("housing", "住居", ("一戸建て", "集合住宅", "その他")),
            FieldSpec("steps", "段差", ("なし", "あり（対応済）", "あり（未対応）")),
        ),
    ),
    ItemSpec(
        23,
        "その他留意すべき事項・状況",
        "特別な状況",
        "analysis",
        "虐待・経済的困窮・身寄りのない方・看取りなど",
    ),
)

# The 1999 set (老企第29号) — same count, older names and order; free text only.
ITEMS_1999: tuple[ItemSpec, ...] = tuple(
    ItemSpec(number, name, name, "basic" if number <= 9 else "analysis")
    for number, name in enumerate(
        (
            "基本情報（受付、利用者等基本情報）",
            "生活状況",
            "利用者の被保険者情報",
            "現在利用しているサービスの状況",
            "障害老人の日常生活自立度",
            "痴呆性老人の日常生活自立度",
            "主訴",
            "認定情報",
            "課題分析（アセスメント）理由",
            "健康状態",
            "ADL",
            "IADL",
            "認知",
            "コミュニケーション能力",
            "社会との関わり",
            "排尿・排便",
            "じょく瘡・皮膚の問題",
            "口腔衛生",
            "食事摂取",
            "問題行動",
            "介護力",
            "居住環境",
            "特別な状況",
        ),
        1,
    )
)

ITEM_SETS: dict[str, tuple[ItemSpec, ...]] = {"2023-10": ITEMS_2023_10, "1999": ITEMS_1999}
ITEM_SET_LABELS = {"2023-10": "2023年10月改正版", "1999": "1999年版（旧項目名）"}


def item_set(tag: str) -> tuple[ItemSpec, ...]:
    return ITEM_SETS[tag]


def _filled(value: Any) -> bool:
    return value not in (None, "") and str(value).strip() != ""


def item_status(spec: ItemSpec, answer: dict[str, Any] | None) -> str:
    """ "complete", "partial" or "empty". Complete = every required structured field
    answered; an item with no required fields is complete once anything is written (its
    note, an optional field or a list entry)."""
    answer = answer or {}
    required = [f for f in spec.fields if not f.optional]
    answered_required = [f for f in required if _filled(answer.get(f.key))]
    anything = (
        any(_filled(answer.get(f.key)) for f in spec.fields)
        or _filled(answer.get(NOTE_KEY))
        or any(answer.get(list_spec.key) for list_spec in spec.lists)
    )
    complete = len(answered_required) == len(required) if required else anything
    if complete:
        return "complete"
    return "partial" if anything else "empty"


STATUS_LABELS = {"complete": "記入済", "partial": "記入途中", "empty": "未記入"}


@dataclass(frozen=True)
class Completeness:
    statuses: dict[int, str]

    @property
    def complete_count(self) -> int:
        return sum(1 for status in self.statuses.values() if status == "complete")

    @property
    def total(self) -> int:
        return len(self.statuses)

    @property
    def is_complete(self) -> bool:
        return self.complete_count == self.total

    @property
    def percent(self) -> int:
        return round(100 * self.complete_count / self.total) if self.total else 0

    @property
    def missing_numbers(self) -> list[int]:
        return [number for number, status in self.statuses.items() if status != "complete"]


def completeness(tag: str, answers: dict[str, Any]) -> Completeness:
    return Completeness(
        {spec.number: item_status(spec, answers.get(str(spec.number))) for spec in item_set(tag)}
    )


def _clean_value(field_spec: FieldSpec, raw: Any) -> str:
    value = str(raw or "").strip()
    if field_spec.is_choice and value not in field_spec.choices:
        return ""
    return value


def clean_entries(list_spec: ListSpec, rows: Any) -> list[dict[str, str]]:
    """Keep rows whose kind is a known choice (empty rows dropped), known keys only."""
    cleaned: list[dict[str, str]] = []
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            continue
        entry = {}
        for column in list_spec.columns:
            value = _clean_value(column, row.get(column.key))
            if value:
                entry[column.key] = value
        if entry.get(list_spec.columns[0].key):
            cleaned.append(entry)
    return cleaned[: list_spec.max_rows]


def entry_errors(list_spec: ListSpec, row: dict[str, Any]) -> dict[str, str]:
    """Field messages for one list row (column key → message); {} when the row is fine."""
    kind_column, *rest = list_spec.columns
    kind = str(row.get(kind_column.key) or "").strip()
    written = [c for c in rest if str(row.get(c.key) or "").strip()]
    if not kind:
        if written:
            return {kind_column.key: f"{list_spec.label}の{kind_column.label}を選んでください。"}
        return {}
    text_columns = [c for c in rest if not c.is_choice]
    if kind == list_spec.other_choice and text_columns and text_columns[0] not in written:
        column = text_columns[0]
        return {
            column.key: f"「{kind}」を選んだときは{column.label}に具体的な内容を書いてください。"
        }
    return {}


def clean_answers(tag: str, answers: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Keep only known keys; drop choice values that are not among the choices and list
    rows without a known kind."""
    cleaned: dict[str, dict[str, Any]] = {}
    for spec in item_set(tag):
        raw = answers.get(str(spec.number)) or {}
        entry: dict[str, Any] = {}
        for field_spec in spec.fields:
            value = _clean_value(field_spec, raw.get(field_spec.key))
            if value:
                entry[field_spec.key] = value
        note = str(raw.get(NOTE_KEY) or "").strip()
        if note:
            entry[NOTE_KEY] = note
        for list_spec in spec.lists:
            rows = clean_entries(list_spec, raw.get(list_spec.key))
            if rows:
                entry[list_spec.key] = rows
        cleaned[str(spec.number)] = entry
    return cleaned
