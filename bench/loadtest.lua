-- wrk script for bench/loadtest.py: request the paths of a file (one per line) round robin,
-- starting at a random line, and check every answer's status class.
--   wrk -t1 -c64 -d30s -s bench/loadtest.lua URL -- PATHS_FILE ok|refused
-- "ok": every answer must be 2xx. "refused": every answer must be 4xx (bad input).
-- Prints one line: LOADJSON {"requests": ..., "unexpected": ..., "server_errors": ..., ...}
local paths = {}
local counter = 0
local expect = "ok"
unexpected = 0
server_errors = 0
local threads = {}

setup = function(thread)
  table.insert(threads, thread)
end

init = function(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  expect = args[2] or "ok"
  math.randomseed(os.time())
  counter = math.random(#paths)
end

request = function()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

response = function(status, headers, body)
  local fine
  if expect == "ok" then
    fine = status >= 200 and status < 300
  else
    fine = status >= 400 and status < 500
  end
  if not fine then
    unexpected = unexpected + 1
  end
  if status >= 500 then
    server_errors = server_errors + 1
  end
end

done = function(summary, latency, requests)
  local bad, five = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
    five = five + thread:get("server_errors")
  end
  local e = summary.errors
  io.write(string.format(
    'LOADJSON {"requests": %d, "duration_us": %d, "unexpected": %d, "server_errors": %d, ' ..
    '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, bad, five, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
