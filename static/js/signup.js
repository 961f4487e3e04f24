// The sign-up page, on a fresh form: preselect the browser's time zone.
(function () {
  "use strict";
  var select = document.getElementById("id_time_zone");
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (select && zone && Array.prototype.some.call(select.options, function (o) { return o.value === zone; })) {
    select.value = zone;
  }
})();
