Feature: Invocation and allocation
  Once a job that runs a program is contracted, its provider starts an allocation for the contract: the program runs
  on the provider's node within the contract's limits, the job follows it, and the provider's resources are free the
  moment it ends. A job without a program is a reservation and runs nothing.

  Scenario: A contracted job's program runs on its provider and the provider is free when it ends
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | executors |
      | cp-a | 4   | 4096 | 10   | 1.0   | wasm      |
    When a user posts a job "job-1" that runs the WebAssembly program "primes" with arguments "20"
    Then the job completes with exit code 0
    And the job's history is Posted, Searching, Matched, Requested, Contracted, Running, Completed
    And run 1 was on "cp-a"
    And the program printed:
      """
      2
      3
      5
      7
      11
      13
      17
      19
      """
    And "cp-a" holds no contract

  Scenario: A provider that declares an executor its node has not registered declines the job
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | executors |
      | cp-a | 4   | 4096 | 10   | 1.0   | docker    |
      | cp-b | 4   | 4096 | 10   | 2.0   | wasm      |
    When a user posts this job:
      """
      {"jobId":"job-1","requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1}},"deadlineSeconds":5,
       "execution":{"executor":"docker"}}
      """
    Then the job fails with reason "no-eligible-provider"
    And "cp-a" declined at the bid phase with "executor-not-registered"

  Scenario: A reservation runs nothing: contracted is where it ends
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | executors |
      | cp-a | 4   | 4096 | 10   | 1.0   | wasm      |
    When a user posts a job "job-1" needing 1 CPU core, 256 MB of RAM and 1 GB of disk
    Then the job is contracted with "cp-a"
    And the job ran 0 times
    And "cp-a" holds the contract for "job-1"

  Scenario: A program running when its node restarts is reported interrupted
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | executors |
      | cp-a | 4   | 4096 | 10   | 1.0   | simulated |
    And failed runs are never retried
    When a user posts a job "job-1" that runs the simulated program "print=started sleep-ms=60000"
    And the job is running on "cp-a"
    And the node restarts
    Then the job fails with reason "interrupted"
    And run 1 was on "cp-a" and failed with "interrupted"
    And "cp-a" holds no contract
