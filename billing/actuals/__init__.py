"""実績 intake and reconciliation (issue 11 §1–§2): provider status, typed 実績, CSV import,
予定 vs 実績 differences and 確定 per provider."""
