// Start Swagger UI on the API's own OpenAPI document (served locally, no CDN).
window.addEventListener("load", function () {
  "use strict";
  var element = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({ url: element.getAttribute("data-spec"), dom_id: "#swagger-ui" });
});
