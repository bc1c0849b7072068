-- GET /users?offset=N&limit=LIMIT, with N drawn at random so that every page lies within
-- the seeded users: N in [0, SEEDED - LIMIT] (0 when fewer users than LIMIT were seeded).
-- Another list (part D's /posts) is given as PATH.
-- Usage: wrk ... -s list_users.lua URL -- SEEDED LIMIT [PATH]
dofile(string.gsub(debug.getinfo(1, "S").source:sub(2), "list_users%.lua$", "common.lua"))

local last_offset, limit, path = 0, 20, "/users"

function init(args)
  local seeded = tonumber(args[1]) or 0
  limit = tonumber(args[2]) or 20
  path = args[3] or "/users"
  last_offset = math.max(seeded - limit, 0)
  math.randomseed(os.time() * 1000 + (tid or 0))
end

function request()
  return wrk.format("GET", path .. "?offset=" .. math.random(0, last_offset) .. "&limit=" .. limit)
end
