"""Monthly monitoring records: the visit, the テレビ電話 rule, provider reports."""
