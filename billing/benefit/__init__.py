"""給付管理票 (issue 11 §3, §5): sheets from the client-month, the 8222 file, the batch."""
