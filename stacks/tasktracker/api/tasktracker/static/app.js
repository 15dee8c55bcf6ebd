// The single-page front end: the task list through the REST API under /api/.
const list = document.getElementById("tasks");

async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
  return response.status === 204 ? null : response.json();
}

function show(tasks) {
  list.replaceChildren(...tasks.map((task) => {
    const item = document.createElement("li");
    item.className = task.done ? "done" : "";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = task.done;
    box.onchange = () => call("PATCH", `/api/tasks/${task.id}`, { done: box.checked }).then(refresh);
    const title = document.createElement("span");
    title.textContent = task.title;
    const remove = document.createElement("button");
    remove.textContent = "Delete";
    remove.onclick = () => call("DELETE", `/api/tasks/${task.id}`).then(refresh);
    item.append(box, title, remove);
    return item;
  }));
}

function refresh() {
  return call("GET", "/api/tasks").then(show);
}

document.getElementById("new").onsubmit = (event) => {
  event.preventDefault();
  const title = document.getElementById("title");
  call("POST", "/api/tasks", { title: title.value }).then(() => { title.value = ""; return refresh(); });
};

refresh();
