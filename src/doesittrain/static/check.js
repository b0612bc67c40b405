// "My situation": the plan, region and settings lists belong to the tool the page was drawn for. When the reader
// picks another tool they no longer apply, so they are disabled (and not sent) and the button asks for the next step;
// the server then draws the new tool's plans. Without this script the server says the old plan does not fit.
(function () {
  "use strict";
  var form = document.getElementById("check-form");
  var tool = document.getElementById("check-tool");
  if (!form || !tool) return;
  var drawnFor = tool.value;
  var button = form.querySelector("button[type=submit]");
  var answerLabel = button ? button.textContent : "";
  tool.addEventListener("change", function () {
    var same = tool.value === drawnFor;
    Array.prototype.forEach.call(form.querySelectorAll(".needs-tool"), function (field) {
      field.hidden = !same;
      Array.prototype.forEach.call(field.querySelectorAll("select, input"), function (input) { input.disabled = !same; });
    });
    if (button) button.textContent = same ? answerLabel : form.getAttribute("data-next-label");
  });
})();
