-- wrk script for scripts/soak.sh: one kind of a mixed WebDAV load, and the statuses it got.
-- Each kind names the statuses the load itself asks for; anything else is counted as unexpected. The
-- connections each kind gets are set in scripts/soak.sh.
local kinds = {
  { name = "get", method = "GET",       path = function(n) return "/soak/read/f" .. (n % 50) .. ".txt" end, ok = { [200] = true } },
  -- No HEAD: wrk waits for the body a HEAD answer's Content-Length announces and times out. OPTIONS instead.
  { name = "options", method = "OPTIONS",   path = function(n) return "/soak/read/" end, ok = { [200] = true } },
  { name = "propfind-1", method = "PROPFIND",  path = function(n) return "/soak/read/" end, depth = "1", ok = { [207] = true },
    body = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>' },
  { name = "propfind-0", method = "PROPFIND",  path = function(n) return "/soak/read/f" .. (n % 50) .. ".txt" end, depth = "0", ok = { [207] = true } },
  { name = "put", method = "PUT",       path = function(n) return "/soak/write/w" .. (n % 100) .. ".bin" end, ok = { [201] = true, [204] = true },
    body = string.rep("x", 16384) },
  { name = "delete", method = "DELETE",    path = function(n) return "/soak/write/w" .. (n % 100) .. ".bin" end, ok = { [204] = true, [404] = true } },
  { name = "proppatch", method = "PROPPATCH", path = function(n) return "/soak/read/f" .. (n % 50) .. ".txt" end, ok = { [207] = true },
    body = '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:s="urn:soak"><D:set><D:prop><s:n>value</s:n></D:prop></D:set></D:propertyupdate>' },
  -- Locks with a one-second timeout on their own paths: a LOCK finds the path free (200, or 201 for a new
  -- empty resource) or still locked by an earlier one (423).
  { name = "lock", method = "LOCK",      path = function(n) return "/soak/locks/l" .. (n % 20) end, timeout = "Second-1",
    ok = { [200] = true, [201] = true, [423] = true },
    body = '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>' },
  { name = "copy", method = "COPY",      path = function(n) return "/soak/read/f" .. (n % 50) .. ".txt" end,
    destination = function(n) return "/soak/copies/c" .. (n % 30) .. ".txt" end, ok = { [201] = true, [204] = true } },
}

-- One wrk process runs one kind (SOAK_KIND), so every status it counts belongs to that kind: a shared
-- request/response queue would mix them up, since wrk's connections answer in any order.
local kind
for _, candidate in ipairs(kinds) do
  if candidate.name == os.getenv("SOAK_KIND") then kind = candidate end
end
assert(kind, "SOAK_KIND must name a kind of request in mixed.lua")

local counter = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counts = {}
  unexpected = 0
  counter = math.random(1, 1000)
  base = "http://" .. wrk.host .. ":" .. wrk.port
end

function request()
  counter = counter + 1
  local headers = {}
  if kind.depth then headers["Depth"] = kind.depth end
  if kind.timeout then headers["Timeout"] = kind.timeout end
  if kind.destination then headers["Destination"] = base .. kind.destination(counter) end
  if kind.body and kind.method ~= "PUT" then headers["Content-Type"] = "application/xml" end
  return wrk.format(kind.method, kind.path(counter), headers, kind.body)
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if not kind.ok[status] then unexpected = unexpected + 1 end
end

function done(summary, latency, requests)
  local merged = {}
  local bad = 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do merged[status] = (merged[status] or 0) + n end
    bad = bad + thread:get("unexpected")
  end
  for status, n in pairs(merged) do io.write(string.format("status %s %d %d\n", kind.name, status, n)) end
  io.write(string.format("unexpected %s %d\n", kind.name, bad))
  io.write(string.format("socket_errors %s %d\n", kind.name,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
