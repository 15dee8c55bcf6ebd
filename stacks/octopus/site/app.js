// Lists the items the backend serves and adds new ones, through the gateway's /api/ route.
async function load() {
  const list = document.getElementById("items");
  try {
    const response = await fetch("/api/items");
    const items = await response.json();
    list.replaceChildren(...items.map((item) => {
      const li = document.createElement("li");
      li.textContent = item.name;
      return li;
    }));
    if (items.length === 0) list.innerHTML = "<li>no items yet</li>";
  } catch (error) {
    list.innerHTML = "<li>the API did not answer</li>";
  }
}

document.getElementById("add").addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = new FormData(event.target).get("name");
  await fetch("/api/items", {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({name}),
  });
  event.target.reset();
  load();
});

load();
