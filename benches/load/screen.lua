-- wrk script for POST /v1/screen: rotates among advert bodies read from a file given after
-- `--` (one JSON object a line, written by gen_adverts.py screen).
--   wrk -t2 -c64 -d30s --latency -s screen.lua http://ADDR -- bodies.ndjson

local requests = {}
local next_request = 1

-- Runs in the main state once per thread: gives each thread its own starting point.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  local path = args[1]
  if not path then
    error("screen.lua: give the bodies file after --")
  end
  local file = assert(io.open(path, "r"))
  local headers = { ["Content-Type"] = "application/json" }
  for line in file:lines() do
    if line:match("%S") then
      requests[#requests + 1] = wrk.format("POST", "/v1/screen", headers, line)
    end
  end
  file:close()
  if #requests == 0 then
    error("screen.lua: no bodies in " .. path)
  end
  next_request = ((thread_number or 1) - 1) * 7 % #requests + 1
end

function request()
  local r = requests[next_request]
  next_request = next_request % #requests + 1
  return r
end

-- One machine-readable line for load.sh (latencies in microseconds).
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d " ..
    "mean_us=%.1f non2xx=%d connect_err=%d read_err=%d write_err=%d timeouts=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean,
    e.status, e.connect, e.read, e.write, e.timeout))
end
