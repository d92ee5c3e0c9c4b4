Feature: Contract settlement
  Every contract whose program ran ends in a settlement both sides signed: the provider's allocation measures what the
  run used and signs a receipt; the job checks it against its own record, computes the amount the contract's terms
  give and proposes it; the provider checks the amount by the same rule and countersigns. Per hour, the requester pays
  the seconds the program ran (every second begun, never past the contract); per result, the price of a completed run.
  Nothing is owed for a run the provider's side failed. Each contract is settled once, whatever restarts in between.

  Scenario: A completed run priced per hour pays the seconds it ran
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | executors |
      | cp-a | 4   | 4096 | 10   | 3.6   | simulated |
    When a user posts a job "job-1" that runs the simulated program "sleep-ms=1200"
    Then the job completes with exit code 0
    And the contract is settled at 3.6 per hour for the seconds the program ran, ended "completed"
    And the provider's record of the settlement is the same

  Scenario: A completed run priced per result pays the price
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | price per result | executors |
      | cp-a | 4   | 4096 | 10   | 0     | 2.5              | simulated |
    When a user posts a job "job-1" that runs the simulated program "print=done"
    Then the job completes with exit code 0
    And the contract is settled for 2.5 USD, ended "completed"
    And the provider's record of the settlement is the same

  Scenario: A failed run priced per result pays nothing
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | price per result | executors |
      | cp-a | 4   | 4096 | 10   | 0     | 2.5              | simulated |
    And failed runs are never retried
    When a user posts a job "job-1" that runs the simulated program "exit=3"
    Then the job fails with reason "exit-code"
    And the contract is settled for 0 USD, ended "exit-code"
    And the provider's record of the settlement is the same

  Scenario: A run the provider's executor failed pays nothing, whatever its price
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | executors |
      | cp-a | 4   | 4096 | 10   | 3.6   | wasm      |
    And failed runs are never retried
    When a user posts a job "job-1" that runs the WebAssembly program "trap"
    Then the job fails with reason "executor-error"
    And the contract is settled for 0 USD, ended "executor-error"

  Scenario: A cancelled run pays the time it ran until it stopped
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | executors |
      | cp-a | 4   | 4096 | 10   | 3.6   | simulated |
    When a user posts a job "job-1" that runs the simulated program "sleep-ms=60000"
    And the job is running on "cp-a"
    And the user cancels the job
    Then the job ends cancelled
    And the contract is settled at 3.6 per hour for the seconds the program ran, ended "cancelled"
    And the provider's record of the settlement is the same

  Scenario: A settled contract stays settled once, on both sides, across a restart
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | executors |
      | cp-a | 4   | 4096 | 10   | 3.6   | simulated |
    When a user posts a job "job-1" that runs the simulated program "print=hello"
    And the contract is settled at 3.6 per hour for the seconds the program ran, ended "completed"
    And the node restarts
    Then the contract is settled at 3.6 per hour for the seconds the program ran, ended "completed"
    And the provider's record of the settlement is the same
    And "cp-a" has earned the settled amount and has nothing left to settle
