"""A small fixed vocabulary so generated text is made of real, distinguishable words.

Search and relevance tests can look for phrases a page is known to contain.
"""

_RAW = """
    apple anchor archive atlas autumn badger balcony bamboo beacon bicycle blossom breeze
    bridge bronze cabinet canyon carbon castle cedar cellar chapter cherry circuit citadel
    clover cobalt comet compass copper coral cotton crystal dagger delta desert dolphin
    dragon ember engine falcon feather fern festival fjord forest fossil fountain galaxy
    garden garnet geyser glacier granite harbor harvest hazel helmet heron horizon iceberg
    indigo island ivory jasmine jungle kernel kettle lagoon lantern lava ledger lemon
    lighthouse lily marble meadow meteor mirror monsoon mosaic nebula nectar needle oasis
    obsidian ocean olive onyx orchard orbit otter paddle panther papyrus pebble pepper
    pilot pine planet plateau prairie prism quarry quartz quill raven reef ribbon river
    saffron sailor salmon sapphire satellite scarlet shadow silver sparrow spiral spruce
    summit sunset tangerine temple thunder tidal timber topaz tower tulip tundra turtle
    umbrella valley velvet violet volcano walnut waterfall willow window winter wizard
    yarrow zephyr zinc budget roadmap release invoice migration onboarding retrospective
    quarterly hiring security incident backlog milestone benchmark customer pricing
"""
WORDS = tuple(_RAW.split())

LANGUAGES = ("python", "sql", "javascript", "bash", "rust")
EMOJIS = ("💡", "📌", "⚠️", "✅", "📎", "🧭")
