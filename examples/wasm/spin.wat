;; Never ends: stopped by the orchestrator at its timeout (duration-exceeded).
(module
  (memory (export "memory") 1)
  (func (export "_start") (loop $forever (br $forever))))
