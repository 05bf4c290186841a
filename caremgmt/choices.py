"""Code lists shared across apps. Values are the codes used in national exchange files."""

from django.db import models


class RegionalGrade(models.TextChoices):
    """地域区分 (7-grade scheme since 2015). Values match the calc engine's grade codes."""

    GRADE_1 = "1", "1級地"
    GRADE_2 = "2", "2級地"
    GRADE_3 = "3", "3級地"
    GRADE_4 = "4", "4級地"
    GRADE_5 = "5", "5級地"
    GRADE_6 = "6", "6級地"
    GRADE_7 = "7", "7級地"
    OTHER = "other", "その他"


class CareLevel(models.TextChoices):
    """要介護状態区分 with the ケアプランデータ連携 / 国保連 codes."""

    NOT_APPLICABLE = "01", "非該当"
    PROJECT_TARGET = "06", "事業対象者"
    SUPPORT_1 = "12", "要支援1"
    SUPPORT_2 = "13", "要支援2"
    CARE_1 = "21", "要介護1"
    CARE_2 = "22", "要介護2"
    CARE_3 = "23", "要介護3"
    CARE_4 = "24", "要介護4"
    CARE_5 = "25", "要介護5"


CARE_LEVEL_ORDER = [level.value for level in CareLevel]


def heavier_care_level(first: str, second: str) -> str:
    """The heavier of two care levels (the month's limit follows the heaviest)."""
    return max(first, second, key=CARE_LEVEL_ORDER.index)


class Sex(models.TextChoices):
    MALE = "1", "男"
    FEMALE = "2", "女"


class ServiceType(models.TextChoices):
    """サービス種類コード (REFERENCE §5.2): the first two characters of a service code.

    The codes a provider directory may name, 施設 codes (51–55) included so it can name a
    facility a client moves to. What a 居宅サービス計画 may plan is the narrower
    `PLAN_SERVICE_TYPES` / `PREVENTIVE_PLAN_SERVICE_TYPES` below.
    """

    HOME_HELP = "11", "訪問介護"
    HOME_BATHING = "12", "訪問入浴介護"
    HOME_NURSING = "13", "訪問看護"
    HOME_REHABILITATION = "14", "訪問リハビリテーション"
    DAY_SERVICE = "15", "通所介護"
    DAY_CARE_REHABILITATION = "16", "通所リハビリテーション"
    EQUIPMENT_RENTAL = "17", "福祉用具貸与"
    SHORT_STAY = "21", "短期入所生活介護"
    SHORT_STAY_MEDICAL_HEALTH = "22", "短期入所療養介護（老健）"
    SHORT_STAY_MEDICAL_HOSPITAL = "23", "短期入所療養介護（病院等）"
    SHORT_STAY_MEDICAL_CLINIC = "2A", "短期入所療養介護（介護医療院）"
    PREVENTIVE_SHORT_STAY = "24", "介護予防短期入所生活介護"
    PREVENTIVE_SHORT_STAY_MEDICAL_HEALTH = "25", "介護予防短期入所療養介護（老健）"
    PREVENTIVE_SHORT_STAY_MEDICAL_HOSPITAL = "26", "介護予防短期入所療養介護（病院等）"
    PREVENTIVE_SHORT_STAY_MEDICAL_CLINIC = "2B", "介護予防短期入所療養介護（介護医療院）"
    SPECIFIED_FACILITY_SHORT = "27", "特定施設入居者生活介護（短期）"
    COMMUNITY_SPECIFIED_FACILITY_SHORT = "28", "地域密着型特定施設入居者生活介護（短期）"
    HOME_MEDICAL_MANAGEMENT = "31", "居宅療養管理指導"
    DEMENTIA_GROUP_HOME = "32", "認知症対応型共同生活介護"
    SPECIFIED_FACILITY = "33", "特定施設入居者生活介護"
    PREVENTIVE_HOME_MEDICAL_MANAGEMENT = "34", "介護予防居宅療養管理指導"
    DEMENTIA_GROUP_HOME_SHORT = "38", "認知症対応型共同生活介護（短期利用）"
    PREVENTIVE_DEMENTIA_GROUP_HOME_SHORT = "39", "介護予防認知症対応型共同生活介護（短期利用）"
    EQUIPMENT_SALE = "41", "特定福祉用具販売"
    HOME_MODIFICATION = "42", "住宅改修"
    PREVENTIVE_EQUIPMENT_SALE = "44", "特定介護予防福祉用具販売"
    PREVENTIVE_HOME_MODIFICATION = "45", "介護予防住宅改修"
    CARE_MANAGEMENT = "43", "居宅介護支援"
    PREVENTIVE_CARE_MANAGEMENT = "46", "介護予防支援"
    WELFARE_FACILITY = "51", "介護福祉施設"
    HEALTH_FACILITY = "52", "介護保健施設"
    MEDICAL_CARE_FACILITY = "55", "介護医療院"
    PREVENTIVE_HOME_BATHING = "62", "介護予防訪問入浴介護"
    PREVENTIVE_HOME_NURSING = "63", "介護予防訪問看護"
    PREVENTIVE_HOME_REHABILITATION = "64", "介護予防訪問リハビリテーション"
    PREVENTIVE_DAY_CARE_REHABILITATION = "66", "介護予防通所リハビリテーション"
    PREVENTIVE_EQUIPMENT_RENTAL = "67", "介護予防福祉用具貸与"
    NIGHT_HOME_HELP = "71", "夜間対応型訪問介護"
    DEMENTIA_DAY_SERVICE = "72", "認知症対応型通所介護"
    SMALL_MULTIFUNCTION = "73", "小規模多機能型居宅介護"
    PREVENTIVE_DEMENTIA_DAY_SERVICE = "74", "介護予防認知症対応型通所介護"
    REGULAR_VISIT_ON_CALL = "76", "定期巡回・随時対応型訪問介護看護"
    NURSING_SMALL_MULTIFUNCTION = "77", "看護小規模多機能型居宅介護"
    COMMUNITY_DAY_SERVICE = "78", "地域密着型通所介護"
    NURSING_SMALL_MULTIFUNCTION_SHORT = "79", "看護小規模多機能型居宅介護（短期利用）"
    COMMUNITY_HOME_VISIT = "A2", "総合事業 訪問型サービス（独自）"
    COMMUNITY_DAY_VISIT = "A6", "総合事業 通所型サービス（独自）"


# サービス種別 a 居宅サービス計画 (第2表・第3表) may plan: 居宅サービス and the 地域密着型
# services used from home. Not 施設 (51–55), not services that bring their own plan
# (特定施設 33, グループホーム 32, 小規模多機能 73/77), nor 居宅介護支援 itself (43/46).
PLAN_SERVICE_TYPES: tuple[str, ...] = (
    "11", "12", "13", "14", "15", "16", "17",
    "21", "22", "23", "2A", "27", "28", "31", "38", "41", "42",
    "71", "72", "76", "78", "79",
)  # fmt: skip
# 介護予防 variants and 総合事業, for a 要支援・事業対象者 client.
PREVENTIVE_PLAN_SERVICE_TYPES: tuple[str, ...] = (
    "62", "63", "64", "66", "67",
    "24", "25", "26", "2B", "34", "39", "44", "45", "74",
    "A2", "A6",
)  # fmt: skip
PREVENTIVE_CARE_LEVELS = frozenset(
    {CareLevel.PROJECT_TARGET, CareLevel.SUPPORT_1, CareLevel.SUPPORT_2}
)


def plan_service_types(care_level: str | None = None) -> tuple[str, ...]:
    """The サービス種類コード a plan may use: 予防 variants for 要支援・事業対象者, the
    居宅 set for 要介護, both while the level is unknown (申請中)."""
    if care_level in PREVENTIVE_CARE_LEVELS:
        return PREVENTIVE_PLAN_SERVICE_TYPES
    if care_level:
        return PLAN_SERVICE_TYPES
    return PLAN_SERVICE_TYPES + PREVENTIVE_PLAN_SERVICE_TYPES


def plan_service_type_choices(care_level: str | None = None) -> list[tuple[str, str]]:
    allowed = set(plan_service_types(care_level))
    return [(value, label) for value, label in ServiceType.choices if value in allowed]
