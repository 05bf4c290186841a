"""居宅介護支援費 — the office's own claim (issue 11 §4): 取扱件数 bands (`bands`), the
加算/減算 table as data (`additions`) and the per-client claim lines of a month (`claim`)."""
