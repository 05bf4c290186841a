"""The work queue (my page) and notifications: rules, refresh, notices, digest, caseload."""
