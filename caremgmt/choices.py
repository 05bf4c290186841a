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
