package memory_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/internal/storetest"
)

func BenchmarkAppend(b *testing.B) {
	store := memory.NewStore(memory.NewBus())
	conv := storetest.MustCreateConversation(b, store, "v_bench")
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		if _, err := store.AppendMessage(ctx, frontline.AppendRequest{Message: frontline.Message{
			ConversationID: conv.ID, ClientMsgID: fmt.Sprint("m", i), Author: frontline.AuthorCustomer, Body: "where is my parcel?",
		}}); err != nil {
			b.Fatal(err)
		}
	}
}
