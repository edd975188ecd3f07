-- wrk script for bench/webhooks.py: POST pre-signed WhatsApp webhooks, each body once.
--
--   wrk -s bench/webhooks.lua <url> -- <bodies file> <path> <threads> [<header> [<content type>]]
--
-- The bodies file has one request per line: "<header value>\t<body>"; the header is
-- X-Hub-Signature-256 unless named (bench/webhook_doors.py: none for the bridge, SNS's message type for
-- AWS), and an empty value sends no such header. Thread k of n
-- takes lines k, k+n, k+2n, ... so no two threads send the same body, and every request is built
-- once in init(): sending is a table lookup, which keeps the generator far from being the bottleneck.
-- response() counts 200s so the runner can compare them with the rows in the database; done()
-- prints one machine-readable line, "BENCH_JSON {...}", with the latency percentiles (microseconds).

local threads = {}
local next_id = 1

function setup(thread)
   thread:set("id", next_id)
   table.insert(threads, thread)
   next_id = next_id + 1
end

function init(args)
   local file, path, nthreads = args[1], args[2], tonumber(args[3])
   local name, content_type = args[4] or "X-Hub-Signature-256", args[5] or "application/json"
   reqs = {}
   local line_no = 0
   for line in io.lines(file) do
      if line_no % nthreads == id - 1 then
         local tab = line:find("\t", 1, true)
         local headers = { ["Content-Type"] = content_type }
         if tab > 1 then headers[name] = line:sub(1, tab - 1) end
         reqs[#reqs + 1] = wrk.format("POST", path, headers, line:sub(tab + 1))
      end
      line_no = line_no + 1
   end
   loaded = #reqs
   sent, received, ok, other = 0, 0, 0, 0
end

function request()
   sent = sent + 1
   return reqs[((sent - 1) % loaded) + 1]
end

function response(status, headers, body)
   received = received + 1
   if status == 200 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
   local t = { sent = 0, received = 0, ok = 0, other = 0, loaded = 0, wrapped = 0 }
   for _, thread in ipairs(threads) do
      local s, l = thread:get("sent"), thread:get("loaded")
      t.sent = t.sent + s
      t.received = t.received + thread:get("received")
      t.ok = t.ok + thread:get("ok")
      t.other = t.other + thread:get("other")
      t.loaded = t.loaded + l
      if s > l then t.wrapped = t.wrapped + (s - l) end
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"duration_us":%d,"requests":%d,"bytes":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"sent":%d,"received":%d,"ok":%d,"other_status":%d,"bodies_loaded":%d,"wrapped":%d,' ..
      '"latency_us":{"min":%d,"mean":%.1f,"stdev":%.1f,"max":%d,' ..
      '"p50":%d,"p75":%d,"p90":%d,"p99":%d,"p99_9":%d}}\n',
      summary.duration, summary.requests, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      t.sent, t.received, t.ok, t.other, t.loaded, t.wrapped,
      latency.min, latency.mean, latency.stdev, latency.max,
      latency:percentile(50), latency:percentile(75), latency:percentile(90),
      latency:percentile(99), latency:percentile(99.9)))
end
