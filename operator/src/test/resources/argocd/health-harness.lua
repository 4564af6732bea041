-- Runs one Argo CD health check the way Argo CD does: the resource is the global `obj`, the script's
-- return value is the health. Usage: lua5.1 health-harness.lua <health.lua> <object.lua>
-- <object.lua> is `return { ... }`: the resource as a Lua table literal (written by ArgoHealthTest).
-- Prints the status on the first line and the message after it (messages may span lines).
local script, objectFile = arg[1], arg[2]
if script == nil or objectFile == nil then
  io.stderr:write("usage: lua5.1 health-harness.lua <health.lua> <object.lua>\n")
  os.exit(64)
end

local loadObject, objectError = loadfile(objectFile)
if loadObject == nil then
  io.stderr:write("cannot load the object: " .. objectError .. "\n")
  os.exit(2)
end
obj = loadObject()

local check, checkError = loadfile(script)
if check == nil then
  io.stderr:write("cannot load " .. script .. ": " .. checkError .. "\n")
  os.exit(3)
end

local ok, hs = pcall(check)
if not ok then
  io.stderr:write("health check raised an error: " .. tostring(hs) .. "\n")
  os.exit(4)
end
if type(hs) ~= "table" then
  io.stderr:write("health check returned a " .. type(hs) .. ", not a table\n")
  os.exit(5)
end
if hs.message ~= nil and type(hs.message) ~= "string" then
  io.stderr:write("health check returned a message of type " .. type(hs.message) .. "\n")
  os.exit(6)
end
io.write(tostring(hs.status), "\n", hs.message or "")
