-- wrk script for GET /v1/search: rotates among realistic queries. The key comes from wrk's
-- -H 'Authorization: Bearer KEY' (wrk.format adds wrk.headers to every request).
--   wrk -t2 -c64 -d30s --latency -H "Authorization: Bearer KEY" -s search.lua http://ADDR -- search_paths.txt

-- Paths come from a file given after `--` (benches/load/search_paths.txt), one a line.
local paths = {}
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
    error("search.lua: give the paths file after --")
  end
  local file = assert(io.open(path, "r"))
  for line in file:lines() do
    if line:match("^/") then
      paths[#paths + 1] = wrk.format("GET", line)
    end
  end
  file:close()
  if #paths == 0 then
    error("search.lua: no paths in " .. path)
  end
  next_request = ((thread_number or 1) - 1) * 3 % #paths + 1
end

function request()
  local r = paths[next_request]
  next_request = next_request % #paths + 1
  return r
end

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
