-- ats-auth's token check for HAProxy 2.5+ (2.6 in Debian 12). HAProxy has no auth subrequest of
-- its own; this action asks ats-auth's /user/verify with HAProxy's built-in HTTP client
-- (core.httpclient), so no other Lua library is needed.
--
--   http-request lua.ats_auth_verify http://127.0.0.1:8081/user/verify
--
-- It sets, for the rules that follow:
--   txn.ats_auth_status     ats-auth's answer: 200, 401, 503 ...; 0 when it could not be asked
--   txn.ats_auth_user       on 200: the verified user (ats-auth's X-Auth-UserId)
--   txn.ats_auth_challenge  on 401: ats-auth's WWW-Authenticate
--
-- The check is a GET without body (verify ignores method and body); it carries the client's
-- Authorization and Cookie headers, and the original method and URI as X-Forwarded-Method and
-- X-Forwarded-Uri (as Traefik does) for ats-auth's logs.

local CREDENTIALS = { "authorization", "cookie" }
local TIMEOUT_MS = 2000

local function first(headers, name)
  local values = headers[name]
  if values == nil then return nil end
  return values[0]
end

core.register_action("ats_auth_verify", { "http-req" }, function(txn, url)
  txn:set_var("txn.ats_auth_status", 0)
  local incoming = txn.http:req_get_headers()
  local headers = {
    ["x-forwarded-method"] = { txn.sf:method() },
    ["x-forwarded-uri"] = { txn.sf:pathq() },
  }
  for _, name in ipairs(CREDENTIALS) do
    -- every occurrence, so that ats-auth sees exactly what the client sent
    local values = incoming[name]
    if values ~= nil then
      local list = {}
      for i = 0, #values do list[#list + 1] = values[i] end
      headers[name] = list
    end
  end

  local ok, res = pcall(function()
    return core.httpclient():get{ url = url, headers = headers, timeout = TIMEOUT_MS }
  end)
  if not ok or res == nil or res.status == nil or res.status == 0 then
    txn:Warning("ats-auth: could not ask " .. url)
    return
  end
  txn:set_var("txn.ats_auth_status", res.status)
  if res.status == 200 then
    local user = first(res.headers, "x-auth-userid")
    -- a 200 without a user is not an answer ats-auth gives: treat it as a failure
    if user == nil or user == "" then txn:set_var("txn.ats_auth_status", 0) return end
    txn:set_var("txn.ats_auth_user", user)
  elseif res.status == 401 then
    txn:set_var("txn.ats_auth_challenge", first(res.headers, "www-authenticate") or 'Bearer error="invalid_token"')
  end
end, 1)
