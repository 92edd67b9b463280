-- wrk script: durable appends to the file store.
-- STREAMS (env, default 1) streams named bench-0..N-1 receive the POSTs in turn; BODY_BYTES (env, default 100) sets
-- the body size. Create the streams first (Tools/bench/file-store-durability.sh does).
local streams = tonumber(os.getenv("STREAMS") or "1")
local body = string.rep("x", tonumber(os.getenv("BODY_BYTES") or "100"))
local counter = 0

request = function()
  counter = counter + 1
  local path = "/v1/stream/bench-" .. (counter % streams)
  return wrk.format("POST", path, { ["Content-Type"] = "text/plain" }, body)
end

local failures = 0
response = function(status, headers, body)
  if status ~= 204 then failures = failures + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("requests/s: %.0f  p50: %.2fms  p99: %.2fms  errors(non-2xx): %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status))
end
