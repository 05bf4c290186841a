"""サービス種類 groups that carry extra plan rules (REFERENCE §5.2 codes), as data.

- `MEDICAL_SERVICE_TYPES` (医療系サービス): a plan that places one of them must also be
  delivered to the client's 主治医 (運営基準 第13条第19号の2).
- `EQUIPMENT_RENTAL_SERVICE_TYPES` (福祉用具貸与): each such line needs its
  「福祉用具貸与が必要な理由」 written on the plan (運営基準 第13条第22号).

A code here is the first two characters of a サービスコード (第3表) or a 第2表
`SupportItem.service_type`.
"""

from __future__ import annotations

MEDICAL_SERVICE_TYPES: frozenset[str] = frozenset(
    {
        "13",  # 訪問看護
        "63",  # 介護予防訪問看護
        "14",  # 訪問リハビリテーション
        "64",  # 介護予防訪問リハビリテーション
        "16",  # 通所リハビリテーション
        "66",  # 介護予防通所リハビリテーション
        "31",  # 居宅療養管理指導
        "34",  # 介護予防居宅療養管理指導
        "22",  # 短期入所療養介護（老健）
        "23",  # 短期入所療養介護（病院等）
        "2A",  # 短期入所療養介護（介護医療院）
        "25",  # 介護予防短期入所療養介護（老健）
        "26",  # 介護予防短期入所療養介護（病院等）
        "2B",  # 介護予防短期入所療養介護（介護医療院）
        "77",  # 看護小規模多機能型居宅介護（短期利用以外）
        "79",  # 看護小規模多機能型居宅介護（短期利用）
    }
)

EQUIPMENT_RENTAL_SERVICE_TYPES: frozenset[str] = frozenset(
    {
        "17",  # 福祉用具貸与
        "67",  # 介護予防福祉用具貸与
    }
)


def is_medical(service_type_or_code: str) -> bool:
    return service_type_or_code[:2] in MEDICAL_SERVICE_TYPES


def is_equipment_rental(service_type_or_code: str) -> bool:
    return service_type_or_code[:2] in EQUIPMENT_RENTAL_SERVICE_TYPES
