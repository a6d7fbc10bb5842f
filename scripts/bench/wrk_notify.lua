-- wrk script for alipay-notifyd's benchmark: POSTs one corpus line per request.
--
-- env BODIES        the corpus, one form-encoded body per line
-- env WRK_SENT_OUT  where done() writes {"threads":N,"sent":[...],"success":..,"other":..,
--                   "latency_us":{"p50":..,"p90":..,"p99":..,"p999":..}}
-- env WRK_PORTS     optional: loopback ports of several daemons ("18090,18091,18092");
--                   thread t then sends to port t % #ports (one wrk spreads the load
--                   over the instances, as a load balancer would)
-- script argument   the number of wrk threads (bench.sh passes `-- N`)
--
-- Line j goes to thread j % N and each thread cycles through its own share in
-- file order, so `notifyd-bench check` can rebuild exactly what was sent from the
-- per-thread counts. wrk validates request() once on thread 0 before the run;
-- that call is not sent and not counted.

local threads = {}
local counter = 0

function setup(thread)
   local ports = os.getenv("WRK_PORTS")
   if ports and #ports > 0 then
      local list = {}
      for port in string.gmatch(ports, "%d+") do list[#list + 1] = port end
      thread.addr = wrk.lookup("127.0.0.1", list[(counter % #list) + 1])[1]
   end
   thread:set("tid", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

function init(args)
   nthreads = tonumber(args[1]) or 1
   local headers = { ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8" }
   requests = {}
   local j = 0
   for line in io.lines(os.getenv("BODIES")) do
      if #line > 0 then
         if j % nthreads == tid then
            requests[#requests + 1] = wrk.format("POST", wrk.path, headers, line)
         end
         j = j + 1
      end
   end
   count = #requests
   index = 0
   sent = 0
   success = 0
   other = 0
   validating = (tid == 0)
end

function request()
   if validating then
      validating = false
      return requests[1]
   end
   local r = requests[(index % count) + 1]
   index = index + 1
   sent = sent + 1
   return r
end

function response(status, headers, body)
   if body == "success" then success = success + 1 else other = other + 1 end
end

function done(summary, latency, requests_done)
   local path = os.getenv("WRK_SENT_OUT")
   if not path then return end
   local sent_list, total_success, total_other = {}, 0, 0
   for i, thread in ipairs(threads) do
      sent_list[i] = tostring(thread:get("sent"))
      total_success = total_success + thread:get("success")
      total_other = total_other + thread:get("other")
   end
   local file = io.open(path, "w")
   file:write(string.format(
      '{"threads":%d,"sent":[%s],"success":%d,"other":%d,"requests":%d,"duration_us":%d,' ..
      '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
      #threads, table.concat(sent_list, ","), total_success, total_other, summary.requests, summary.duration,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max))
   file:close()
end
