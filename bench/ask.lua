-- wrk script: POST /ask with a different routine question on every request (no cache can help),
-- count the statuses, and print one machine-readable line of figures at the end.

local topics = {
  "seasonal allergies", "a common cold", "mild acne", "dry skin", "heartburn after meals",
  "occasional insomnia", "a sprained ankle", "high LDL cholesterol", "vitamin D levels", "iron intake",
  "motion sickness", "a stiff neck from sleeping", "hay fever", "athlete's foot", "dandruff",
  "mild constipation", "sunburn", "a blocked nose", "muscle soreness after exercise", "jet lag",
}
local aspects = {
  "What usually helps with", "How long does it take to recover from", "What are the usual causes of",
  "Which foods are good for", "How can I prevent", "When should I see a doctor about",
  "Is exercise advisable with", "What do pharmacists suggest for", "What are the common myths about",
  "How is a diagnosis made for",
}
local audiences = {
  "for an adult", "for a teenager", "for an older adult", "for a runner", "for an office worker",
  "for a student", "for a traveller", "for a new parent",
}
local moments = {
  "in winter", "in summer", "during a busy week", "while travelling", "after a long flight",
  "in spring", "in autumn", "at the weekend", "during exams", "on holiday",
}

local threads = {}
local headers = { ["Content-Type"] = "application/json" }

function setup(thread)
  thread:set("offset", #threads * 4099)
  table.insert(threads, thread)
end

function init(args)
  n = offset or 0
  ok, s4xx, s503, s504, s5xx = 0, 0, 0, 0, 0
end

local function pick(list, i)
  return list[(i % #list) + 1]
end

function request()
  n = n + 1
  local i = n
  local q = pick(aspects, i) .. " " .. pick(topics, math.floor(i / #aspects)) .. " " ..
    pick(audiences, math.floor(i / (#aspects * #topics))) .. " " ..
    pick(moments, math.floor(i / (#aspects * #topics * #audiences))) .. "?"
  return wrk.format("POST", "/ask", headers, '{"question": "' .. q .. '"}')
end

function response(status, hdrs, body)
  if status < 300 then ok = ok + 1
  elseif status == 503 then s503 = s503 + 1
  elseif status == 504 then s504 = s504 + 1
  elseif status >= 500 then s5xx = s5xx + 1
  else s4xx = s4xx + 1 end
end

function done(summary, latency, requests)
  local c = { ok = 0, s4xx = 0, s503 = 0, s504 = 0, s5xx = 0 }
  for _, t in ipairs(threads) do
    for k, _ in pairs(c) do c[k] = c[k] + (t:get(k) or 0) end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "ok": %d, "s4xx": %d, "s503": %d, "s504": %d, "s5xx": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "timeout": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d}\n',
    summary.requests, summary.duration, c.ok, c.s4xx, c.s503, c.s504, c.s5xx,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max))
end
