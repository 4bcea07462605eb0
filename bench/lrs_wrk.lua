-- wrk script for bench/lrs.py: POSTs prepared xAPI bodies, each statement with a fresh id.
-- The bodies file holds request bodies separated by "\n\30\n"; inside each, ID_MARK stands
-- where a statement id goes. Configured through the environment: LRS_BODIES, LRS_AUTH.
local ID_MARK = "00000000-0000-4000-8000-000000000000"
local bodies = {}
local n = 0

local function split_plain(text, sep)
  local parts, from = {}, 1
  while true do
    local i, j = string.find(text, sep, from, true)
    if not i then
      parts[#parts + 1] = string.sub(text, from)
      return parts
    end
    parts[#parts + 1] = string.sub(text, from, i - 1)
    from = j + 1
  end
end

function init(args)
  local f = assert(io.open(os.getenv("LRS_BODIES"), "rb"))
  local all = f:read("*a")
  f:close()
  for _, body in ipairs(split_plain(all, "\n\30\n")) do
    if #body > 0 then bodies[#bodies + 1] = split_plain(body, ID_MARK) end
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  wrk.method = "POST"
  wrk.path = "/xapi/statements"
  wrk.headers["Authorization"] = os.getenv("LRS_AUTH")
  wrk.headers["X-Experience-API-Version"] = "1.0.3"
  wrk.headers["Content-Type"] = "application/json"
end

local function uuid4()
  return string.format("%08x-%04x-4%03x-%04x-%04x%08x", math.random(0, 0xffffffff), math.random(0, 0xffff),
    math.random(0, 0xfff), 0x8000 + math.random(0, 0x3fff), math.random(0, 0xffff), math.random(0, 0xffffffff))
end

function request()
  n = n + 1
  local pieces = bodies[(n % #bodies) + 1]
  local out = { pieces[1] }
  for i = 2, #pieces do
    out[#out + 1] = uuid4()
    out[#out + 1] = pieces[i]
  end
  return wrk.format(nil, nil, nil, table.concat(out))
end

function done(summary, latency, requests)
  io.write(string.format('WRK {"requests": %d, "non_2xx": %d, "socket_errors": %d, "duration_us": %d, ' ..
    '"p50_us": %d, "p95_us": %d}\n', summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50), latency:percentile(95)))
end
