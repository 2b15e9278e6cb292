-- wrk script: POSTs the envelope in BODY_FILE with SOAPACTION. A body containing {{N}} gets a
-- number unique to each request (for writes). With BODIES_FILE (requests separated by a NUL
-- byte, bench/sign.py), sends those in turn instead, each once, and from the start again
-- should they run out (for signed messages: the server refuses those replays, so they count
-- as errors); run it with one thread (-t1), as bench/run.sh does. Prints one parseable RESULT
-- line at the end.
local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local text = f:read("*a")
  f:close()
  return text
end
local template = slurp(os.getenv("BODY_FILE"))
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
wrk.headers["SOAPAction"] = '"' .. os.getenv("SOAPACTION") .. '"'
wrk.body = template

local bodies = {}
local bodies_file = os.getenv("BODIES_FILE") or ""
if bodies_file ~= "" then
  local text, at = slurp(bodies_file), 1
  while at <= #text do
    local stop = text:find("\0", at, true) or (#text + 1)
    table.insert(bodies, text:sub(at, stop - 1))
    at = stop + 1
  end
end

local unique = template:find("{{N}}", 1, true) ~= nil
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
local counter = 0
function request()
  if #bodies > 0 then
    counter = counter + 1
    return wrk.format(nil, nil, nil, bodies[(counter - 1) % #bodies + 1])
  end
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
