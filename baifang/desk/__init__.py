"""The top floor: the home page and cross-app dashboards. It may import any app; no app imports it."""
