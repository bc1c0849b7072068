-- GET /users/{id} for ids drawn at random in [first, last], the seeded users.
-- Usage: wrk ... -s get_user.lua URL -- FIRST LAST
dofile(string.gsub(debug.getinfo(1, "S").source:sub(2), "get_user%.lua$", "common.lua"))

local first, last = 1, 1

function init(args)
  first = tonumber(args[1]) or 1
  last = tonumber(args[2]) or first
  math.randomseed(os.time() * 1000 + (tid or 0))
end

function request()
  return wrk.format("GET", "/users/" .. math.random(first, last))
end
