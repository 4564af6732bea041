-- Argo CD health check for mlserving.io/ABTest (Lua 5.1, as Argo CD runs it).
-- Healthy: Ready=True for the current generation. Degraded: Ready=False for a reason that needs a
-- change from the user (ModelLoadFailed, ModelNotFound, RegistryUnavailable, UnsupportedArtifactUri,
-- InvalidSpec, HostConflict, InferenceServiceNotFound, ProgressDeadlineExceeded, ReconcileError,
-- IstioNotInstalled, AutoscalingUnavailable, RolledBack). Progressing: anything else, while the
-- operator works (no status yet, a status for an older generation, Ready=Unknown, Ready=False for
-- Progressing). A registry outage with a version pinned keeps Ready as the Deployment says (the
-- pinned version serves): only the ModelResolved condition tells it, and health follows Ready.
-- A Canary's phases follow from its Ready condition: Waiting and Progressing are Ready=False
-- Progressing (Progressing), Promoted is Ready=True (Healthy), RolledBack is Ready=False
-- RolledBack (Degraded).
local hs = {}
local kind = obj.kind or "ABTest"

local degradedReasons = {
  ModelLoadFailed = true,
  ModelNotFound = true,
  RegistryUnavailable = true,
  UnsupportedArtifactUri = true,
  InvalidSpec = true,
  HostConflict = true,
  InferenceServiceNotFound = true,
  ProgressDeadlineExceeded = true,
  ReconcileError = true,
  IstioNotInstalled = true,
  AutoscalingUnavailable = true,
  RolledBack = true,
}

local function describe(condition, fallback)
  local reason = condition.reason
  local message = condition.message
  if reason ~= nil and reason ~= "" and message ~= nil and message ~= "" then
    return reason .. ": " .. message
  end
  if message ~= nil and message ~= "" then
    return message
  end
  if reason ~= nil and reason ~= "" then
    return reason
  end
  return fallback
end

if obj.status == nil or obj.status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report the " .. kind .. "'s status"
  return hs
end

local generation = nil
if obj.metadata ~= nil then
  generation = obj.metadata.generation
end
local observed = obj.status.observedGeneration
if generation ~= nil and observed ~= generation then
  hs.status = "Progressing"
  if observed == nil then
    hs.message = "Waiting for the operator to observe generation " .. generation
  else
    hs.message = "Waiting for the operator to observe generation " .. generation
      .. " (status is for generation " .. observed .. ")"
  end
  return hs
end

local ready = nil
for _, condition in ipairs(obj.status.conditions) do
  if condition.type == "Ready" then
    ready = condition
  end
end

if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Ready condition"
  return hs
end

if ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe({message = ready.message}, kind .. " is ready")
  return hs
end

if ready.status == "False" and ready.reason ~= nil and degradedReasons[ready.reason] then
  hs.status = "Degraded"
  hs.message = describe(ready, kind .. " is not ready")
  return hs
end

hs.status = "Progressing"
hs.message = describe(ready, "Waiting for the " .. kind .. " to become ready")
return hs
