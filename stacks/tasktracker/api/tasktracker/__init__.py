"""TaskTracker: a minimal task list with a REST API and a single-page front end."""
