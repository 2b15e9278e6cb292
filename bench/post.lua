-- wrk script: POSTs the envelope in BODY_FILE with SOAPACTION. A body containing {{N}} gets a
-- number unique to each request (for writes). Prints one parseable RESULT line at the end.
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
local template = f:read("*a")
f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
wrk.headers["SOAPAction"] = '"' .. os.getenv("SOAPACTION") .. '"'
wrk.body = template

local unique = template:find("{{N}}", 1, true) ~= nil
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
local counter = 0
function request()
  if not unique then
    return wrk.request()
  end
  counter = counter + 1
  local body = template:gsub("{{N}}", string.format("%s_%d_%d", os.getenv("RUN") or "0", id, counter))
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
