Feature: Select the preferred node
  Eligible bids are ranked: by score (the job's weighted preferences plus the node's built-in ones), by lowest
  price, or by earliest bid. The best-ranked provider is shortlisted.

  Background:
    Given a node with these compute providers:
      | id        | cpu | ram   | disk | price | country |
      | cp-cheap  | 4   | 4096  | 100  | 0.5   | FR      |
      | cp-big    | 32  | 65536 | 100  | 3.0   | DE      |
      | cp-german | 8   | 8192  | 100  | 2.0   | DE      |

  Scenario: Lowest price selects the cheapest eligible provider
    When a user posts this job:
      """
      {"jobId": "job-1", "selection": "lowest-price",
       "requirements": {"resources": {"cpuCores": 2, "ramMb": 1024, "diskGb": 10}}}
      """
    Then the job is contracted with "cp-cheap"
    And the ranking is cp-cheap, cp-german, cp-big

  Scenario: A locality preference outweighs a lower price
    When a user posts this job:
      """
      {"jobId": "job-1",
       "requirements": {"resources": {"cpuCores": 2, "ramMb": 1024, "diskGb": 10}},
       "preferences": [{"weight": 100, "localities": [{"kind": "country", "name": "DE"}]}]}
      """
    Then the job is contracted with "cp-german"

  Scenario: A preference for more CPU selects the biggest provider
    When a user posts this job:
      """
      {"jobId": "job-1",
       "requirements": {"resources": {"cpuCores": 2, "ramMb": 1024, "diskGb": 10}},
       "preferences": [{"weight": 100, "more": {"resource": "cpuCores"}}]}
      """
    Then the job is contracted with "cp-big"

  Scenario: A price ceiling rules providers out before ranking
    When a user posts this job:
      """
      {"jobId": "job-1",
       "requirements": {"resources": {"cpuCores": 2, "ramMb": 1024, "diskGb": 10}, "maxPricePerHour": 2.5},
       "preferences": [{"weight": 100, "more": {"resource": "cpuCores"}}]}
      """
    Then the job is contracted with "cp-german"
    And the search ruled out 1 provider for "price-above-maximum"

  Scenario: A hard locality constraint leaves only the providers in that country
    When a user posts this job:
      """
      {"jobId": "job-1", "selection": "lowest-price",
       "requirements": {"resources": {"cpuCores": 2, "ramMb": 1024, "diskGb": 10}, "localities": [{"kind": "country", "name": "DE"}]}}
      """
    Then the job is contracted with "cp-german"
