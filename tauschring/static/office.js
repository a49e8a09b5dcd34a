// Office desk: show the member's name next to a member number as it is typed.
// Everything works without this script; it only saves a look at the paper member list.
(function () {
  "use strict";
  // Only the answer to the number typed last counts: answers may arrive out of order.
  var asked = {};
  function lookup(input) {
    var target = document.getElementById(input.id + "-name");
    var number = input.value.trim();
    if (!target) { return; }
    asked[input.id] = number;
    if (!/^\d{1,9}$/.test(number)) { target.textContent = ""; return; }
    var url = input.getAttribute("data-lookup").replace(/0\.json$/, number + ".json");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (asked[input.id] !== number) { return; }  // a later number was typed meanwhile
        target.textContent = data.text;
        target.className = "name" + (data.found && data.status === "active" ? "" : " bad");
      })
      .catch(function () { if (asked[input.id] === number) { target.textContent = ""; } });
  }
  document.querySelectorAll("input[data-lookup]").forEach(function (input) {
    input.addEventListener("input", function () { lookup(input); });
    if (input.value) { lookup(input); }
  });
  // What only works with this script is said only where it runs.
  document.querySelectorAll(".js-only").forEach(function (element) { element.hidden = false; });
})();
