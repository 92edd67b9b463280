-- wrk script: creates streams with unique paths (PUT), each with a small body unless BODY_BYTES=0.
-- PREFIX (env, default t) starts the stream names, so later runs add new streams. Used to fill a data directory with many streams before measuring how long the server takes to open it.
local body = string.rep("x", tonumber(os.getenv("BODY_BYTES") or "16"))
local prefix = os.getenv("PREFIX") or "t"
local counter = 0
local threads_started = 0

-- Runs in the main Lua state; `thread_id` becomes a global of each thread's own state.
setup = function(thread)
  thread:set("thread_id", threads_started)
  threads_started = threads_started + 1
end

request = function()
  counter = counter + 1
  return wrk.format("PUT", "/v1/stream/many/" .. prefix .. thread_id .. "-" .. counter, { ["Content-Type"] = "text/plain" }, body)
end
