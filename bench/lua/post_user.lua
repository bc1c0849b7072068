-- POST /users with a unique email on every request: a run nonce (from bench/run.py),
-- the wrk thread id and a per-thread counter. Any non-2xx answer (409 for a duplicate)
-- is counted as an error.
-- Usage: wrk ... -s post_user.lua URL -- NONCE
dofile(string.gsub(debug.getinfo(1, "S").source:sub(2), "post_user%.lua$", "common.lua"))

local nonce = "run"
local counter = 0

function init(args)
  nonce = args[1] or tostring(os.time())
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"name": "bench %d-%d", "email": "u%s-%d-%d@bench.example"}', tid, counter, nonce, tid,
    counter)
  return wrk.format("POST", "/users", {["Content-Type"] = "application/json"}, body)
end
