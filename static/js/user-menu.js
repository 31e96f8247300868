/* The name menu at the top right (a <details> disclosure, which works without this script)
   closes as a menu does: with Escape, the focus going back to its button, and when the
   focus or a click goes elsewhere, so that it never stays open over the page. */
(function () {
  "use strict";
  var menu = document.querySelector("details.user-menu");
  if (!menu) {
    return;
  }
  var toggle = menu.querySelector("summary");

  menu.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.open) {
      menu.open = false;
      toggle.focus();
    }
  });
  function closeOutside(event) {
    if (menu.open && !menu.contains(event.target)) {
      menu.open = false;
    }
  }
  document.addEventListener("focusin", closeOutside);
  document.addEventListener("click", closeOutside);
}());
