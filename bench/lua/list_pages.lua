-- GET one page of a list, drawn at random from the pages bench/run.py walked after seeding
-- (one path a line in PAGES): `?offset=N&limit=20` for the peers, `?limit=20&cursor=...`
-- for the generated app, whose list pages by cursor.
-- Usage: wrk ... -s list_pages.lua URL -- PAGES
dofile(string.gsub(debug.getinfo(1, "S").source:sub(2), "list_pages%.lua$", "common.lua"))

local pages = {}

function init(args)
  for line in io.lines(args[1]) do
    table.insert(pages, line)
  end
  math.randomseed(os.time() * 1000 + (tid or 0))
end

function request()
  return wrk.format("GET", pages[math.random(1, #pages)])
end
