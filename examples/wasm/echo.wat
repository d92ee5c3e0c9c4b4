;; Copies its stdin to stdout and to /scratch/echo.txt (an output to keep), prints $GREETING to stderr, exits 0.
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  ;; 0: iovec, 8: count, 16: the file's fd, 32: environ count and size, 64: environ pointers, 1024: environ text,
  ;; 2048: "echo.txt", 4096: the data read.
  (memory (export "memory") 1)
  (data (i32.const 2048) "echo.txt")
  (func (export "_start") (local $n i32) (local $fd i32) (local $p i32)
    (i32.store (i32.const 0) (i32.const 4096))
    (i32.store (i32.const 4) (i32.const 60000))
    (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
    (local.set $n (i32.load (i32.const 8)))
    (i32.store (i32.const 4) (local.get $n))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    ;; /scratch is the first preopened directory: fd 3. oflags 1 = create.
    (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 2048) (i32.const 8) (i32.const 1)
      (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 16)))
    (drop (call $fd_write (i32.load (i32.const 16)) (i32.const 0) (i32.const 1) (i32.const 8)))
    ;; The first environment variable (NAME=value) to stderr, when there is one.
    (drop (call $environ_sizes_get (i32.const 32) (i32.const 36)))
    (if (i32.gt_u (i32.load (i32.const 32)) (i32.const 0)) (then
      (drop (call $environ_get (i32.const 64) (i32.const 1024)))
      (i32.store (i32.const 0) (i32.const 1024))
      (i32.store (i32.const 4) (i32.sub (i32.load (i32.const 36)) (i32.const 1)))
      (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))))))
