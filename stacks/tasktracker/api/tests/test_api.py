"""The API against the in-memory store: what the front end relies on."""

from fastapi.testclient import TestClient

from tasktracker.main import create_app
from tasktracker.store import MemoryStore


def client() -> TestClient:
    return TestClient(create_app(MemoryStore()))


def test_tasks_are_created_listed_changed_and_deleted():
    api = client()
    created = api.post("/api/tasks", json={"title": "write the stack"})
    assert created.status_code == 201
    task = created.json()
    assert task == {"id": 1, "title": "write the stack", "done": False}
    assert api.get("/api/tasks").json() == [task]
    changed = api.patch(f"/api/tasks/{task['id']}", json={"done": True})
    assert changed.json()["done"] is True
    assert api.delete(f"/api/tasks/{task['id']}").status_code == 204
    assert api.get("/api/tasks").json() == []


def test_unknown_tasks_and_empty_titles_are_refused():
    api = client()
    assert api.patch("/api/tasks/7", json={"done": True}).status_code == 404
    assert api.delete("/api/tasks/7").status_code == 404
    assert api.post("/api/tasks", json={"title": ""}).status_code == 422


def test_health_metrics_and_front_end():
    api = client()
    assert api.get("/healthz").json() == {"status": "ok"}
    api.post("/api/tasks", json={"title": "count me"})
    # The counters are the process's: other tests created tasks too.
    created = [line for line in api.get("/metrics").text.splitlines() if line.startswith("tasktracker_task_changes_total{change=\"created\"}")]
    assert len(created) == 1 and float(created[0].split()[-1]) >= 1
    assert "<title>TaskTracker</title>" in api.get("/").text
