"""What the tools compute with, apart from the tools themselves: product search and recommendations,
free slots, the returns policy, the booking tools' look-ups, and the formatting of facts for replies."""
