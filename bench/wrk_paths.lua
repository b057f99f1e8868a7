-- wrk script: request the paths listed in a file (one per line), in order, round robin,
-- and print a JSON summary line. Usage: wrk ... -s bench/wrk_paths.lua URL -- PATHS_FILE
local paths = {}
local counter = 0

init = function(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
end

request = function()
  counter = counter + 1
  if counter > #paths then
    counter = 1
  end
  return wrk.format("GET", paths[counter])
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "socket_errors": %d, ' ..
    '"status_errors": %d, "p50_us": %d, "p99_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50), latency:percentile(99), latency.mean))
end
