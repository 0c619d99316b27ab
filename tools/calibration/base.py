from common import *
Xtr,ytr,Xte,yte=load(); N=int(sys.argv[1]) if len(sys.argv)>1 else 20000
rng=np.random.default_rng(0); sub=rng.choice(60000,N,replace=False) if N<60000 else np.arange(60000)
A=Xtr[sub].astype(np.float32)/255; B=Xte.astype(np.float32)/255
for C in [0.1,1.0]:
    print('raw pixels std C',C, classify(A,ytr[sub],B,yte,'std',C,max_iter=500),flush=True)
print('raw pixels minmax C1', classify(A,ytr[sub],B,yte,'minmax',1.0,max_iter=500),flush=True)
p=Prep('pcaw',r=100,eps=0).fit(A)
for C in [0.1,1.0]:
    print('pca100 std C',C, classify(p(A),ytr[sub],p(B),yte,'std',C,max_iter=500),flush=True)
