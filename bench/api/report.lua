-- wrk script: authenticate, optionally ask for the HTML face, print figures as one JSON line.
wrk.headers["Authorization"] = "Token " .. os.getenv("BENCH_TOKEN")
if os.getenv("BENCH_HTMX") == "1" then
  wrk.headers["HX-Request"] = "true"
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, errors))
end
