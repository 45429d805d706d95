package workload

// builtinPrompts are the text prompts of the "builtin" dataset: short
// English requests of the kind a chat assistant gets, of 11 to 18 words
// each.
var builtinPrompts = []string{
	"Explain how a hash map handles collisions, and compare separate chaining with open addressing.",
	"Write a short story about a lighthouse keeper who finds a message in a bottle.",
	"Summarize the main causes of the French Revolution in a few paragraphs.",
	"What are the differences between TCP and UDP, and when would you choose each one?",
	"Describe the water cycle to a ten year old, using simple words and one example from daily life.",
	"List five tips for writing clear technical documentation and explain why each one matters.",
	"Translate the following sentence into French and Spanish: the train leaves at seven in the morning.",
	"Write a Python function that checks whether a string is a palindrome, and explain its time complexity.",
	"What is the difference between weather and climate? Give two examples of each.",
	"Draft a polite email to a colleague asking to move a meeting from Tuesday to Thursday afternoon.",
	"Explain what a large language model is, how it is trained, and what limits its answers.",
	"Give a recipe for a simple vegetable soup that serves four people, with quantities and steps.",
	"Compare renting and buying a home, listing the financial and personal factors to consider.",
	"Describe how vaccines train the immune system to recognise a virus.",
	"Write a haiku about autumn leaves falling in a quiet city park.",
	"Explain the rules of chess for the knight and the bishop, and give one opening that uses both.",
}
