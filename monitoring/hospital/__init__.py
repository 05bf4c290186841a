"""入退院 and medical liaison: admissions, 入院時情報提供書, discharge and 退院前カンファレンス,
通院時情報連携, and the 加算 evidence they prove (docs/hospital.md)."""
