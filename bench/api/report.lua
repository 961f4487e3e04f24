-- wrk script: authenticate, optionally ask for the HTML face, print figures as one JSON line.
wrk.headers["Authorization"] = "Token " .. os.getenv("BENCH_TOKEN")
if os.getenv("BENCH_HTMX") == "1" then
  wrk.headers["HX-Request"] = "true"
end

-- BENCH_BUST=1: every request asks for a URL not asked before (an ignored extra
-- parameter), so a response cache always misses: the cost of a miss, storing included.
if os.getenv("BENCH_BUST") == "1" then
  local counter = 0
  local prefix = tostring(math.random(1, 1000000000)) .. tostring({}):gsub("%W", "")
  request = function()
    counter = counter + 1
    local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
    return wrk.format(nil, wrk.path .. sep .. "bust=" .. prefix .. "-" .. counter)
  end
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, errors))
end
