"""Receivers of caremgmt.events.client_event (filled in by its area)."""
